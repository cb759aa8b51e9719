/**
 * @module The ingest Worker's entry: wires the queue consumer. Its code lives in `src/ingest`.
 */
import { consumeIngestBatch } from '../../src/ingest/queue-consumer'
import type { IngestJob } from '../../src/ingest/jobs'

export default {
  async fetch(): Promise<Response> {
    return Response.json({ error: { message: 'The ingest Worker serves no HTTP; use the API Worker.', type: 'invalid_request_error', param: null, code: 'not_found' } }, { status: 404 })
  },
  queue: consumeIngestBatch,
} satisfies ExportedHandler<Env, IngestJob>
