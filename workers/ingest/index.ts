/**
 * @module The ingest Worker's entry: wires the queue consumer, the sweeper's cron trigger and the
 * page renderer the API Worker calls. Its code lives in `src/ingest`.
 */
import type { AppEnv } from '../../src/config'
import { buildDeps } from '../../src/deps'
import { consumeIngestBatch } from '../../src/ingest/queue-consumer'
import type { IngestJob } from '../../src/ingest/jobs'
import { sweepStalledUploads } from '../../src/ingest/sweeper'

/** Draws PDF pages for the API Worker (its `PAGE_RENDERER` binding). */
export { PageRenderer } from '../../src/ingest/perception/page-renderer'

export default {
  async fetch(): Promise<Response> {
    return Response.json({ error: { message: 'The ingest Worker serves no HTTP; use the API Worker.', type: 'invalid_request_error', param: null, code: 'not_found' } }, { status: 404 })
  },
  queue: consumeIngestBatch,
  async scheduled(_controller: ScheduledController, env: Env): Promise<void> {
    await sweepStalledUploads(buildDeps(env as unknown as AppEnv))
  },
} satisfies ExportedHandler<Env, IngestJob>
