/**
 * The Worker the integration tests run: the API Worker's handlers plus the ingest Worker's queue
 * consumer, so an upload travels through the real local queue to the consumer, as it does in
 * `npm start` where the two Workers share one runtime.
 */
import api from '../../src/index'
import { consumeIngestBatch } from '../../src/ingest/queue-consumer'
import type { IngestJob } from '../../src/ingest/jobs'
import type { AppEnv } from '../../src/config'

export { CompletionRun } from '../../src/index'

export default {
  fetch: api.fetch,
  queue: consumeIngestBatch,
} satisfies ExportedHandler<AppEnv, IngestJob>
