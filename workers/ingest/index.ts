/**
 * @module The ingest Worker's entry: wires the queue consumer, the ingest sweep (the cron trigger,
 * and the IngestWatch Durable Object whose alarm runs it where crons do not fire) and the page
 * renderer the API Worker calls. Its code lives in `src/ingest`. It is the Worker's composition root:
 * each handler builds the ports once per env (src/deps.ts) and hands them in.
 */
import type { AppEnv } from '../../src/config'
import { buildDeps, type Deps } from '../../src/deps'
import { IngestWatchObject } from '../../src/ingest/ingest-watch'
import { consumeIngestBatch } from '../../src/ingest/queue-consumer'
import type { QueueJob } from '../../src/ingest/jobs'
import { consumeBucketEvents, type R2EventMessage } from '../../src/sources/r2-events'
import { sweepStalledFiles } from '../../src/ingest/sweeper'
import { sweepSources } from '../../src/sources/schedule'
import { pruneAuditLog } from '../../src/audit/retention'
import { sweepExpiredFiles } from '../../src/files/expiry'
import { armIngestWatch } from '../../src/ingest/watch'

/** R2 event notifications for R2 sources arrive on this queue (wrangler.toml). */
const SOURCE_EVENTS_QUEUE = 'cairn-source-events'

/** One shard of a workspace's index, which both Workers reach through their `INDEX_SHARD` binding. */
export { IndexShardObject as IndexShard } from '../../src/search/shards/index-shard'

/** Draws PDF pages for the API Worker (its `PAGE_RENDERER` binding). */
export { PageRenderer } from '../../src/ingest/perception/page-renderer'

/** Sweeps stalled ingestion every 30 s while files are in flight. */
export class IngestWatch extends IngestWatchObject {
  protected override sweepPorts(): Deps {
    return buildDeps(this.appEnv())
  }

  /** The bindings the sweep runs on; a test subclass points them elsewhere. */
  protected appEnv(): AppEnv {
    return this.env as unknown as AppEnv
  }
}

export default {
  async fetch(): Promise<Response> {
    return Response.json({ error: { message: 'The ingest Worker serves no HTTP; use the API Worker.', type: 'invalid_request_error', param: null, code: 'not_found' } }, { status: 404 })
  },
  queue: (batch: MessageBatch<unknown>, env: Env) => {
    const deps = buildDeps(env as unknown as AppEnv)
    if (batch.queue === SOURCE_EVENTS_QUEUE) return consumeBucketEvents(batch as MessageBatch<R2EventMessage>, deps)
    return consumeIngestBatch(batch as MessageBatch<QueueJob>, deps)
  },
  async scheduled(_controller: ScheduledController, env: Env): Promise<void> {
    const deps = buildDeps(env as unknown as AppEnv)
    await sweepStalledFiles(deps)
    await sweepSources(deps)
    await sweepExpiredFiles(deps)
    await pruneAuditLog(deps.db, deps.config.auditRetentionDays)
    // A watch whose alarm was lost (it gave up its retries) is set again.
    await armIngestWatch(deps)
  },
} satisfies ExportedHandler<Env, unknown>
