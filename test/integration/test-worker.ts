/**
 * The Worker the integration tests run: the API Worker's handlers plus the ingest Worker's queue
 * consumer, page renderer and ingest watch, so an upload travels through the real local queue to the consumer,
 * and a page is drawn over a real service binding, as in `npm start` where the two Workers share
 * one runtime.
 */
import api from '../../src/index'
import { consumeIngestBatch } from '../../src/ingest/queue-consumer'
import { buildDeps } from '../../src/deps'
import type { IngestJob } from '../../src/ingest/jobs'
import type { AppEnv } from '../../src/config'
import { CompletionRun as ApiCompletionRun } from '../../src/index'
import type { RunInput } from '../../src/agent/run-types'
import { runEnvFor } from './run-env'
import { IndexShard as IngestIndexShard, IngestWatch as IngestWorkerWatch } from '../../workers/ingest/index'
import { watchEnv } from './watch-env'

/**
 * The ingest Worker's index shards, which the test Worker's INDEX_SHARD binding reaches (vitest.config.mts),
 * with one more method for tests: reading the shard's own tables (index-rows.ts), as tests read D1's.
 */
export class IndexShard extends IngestIndexShard {
  rows(sql: string, params: SqlStorageValue[]): Record<string, SqlStorageValue>[] {
    return this.ctx.storage.sql.exec(sql, ...params).toArray()
  }
}

/** The ingest Worker's page renderer, which the API's PAGE_RENDERER binding reaches (vitest.config.mts). */
export { PageRenderer } from '../../src/ingest/perception/page-renderer'

/** The API's completion object, with the models a test chose for the run's workspace (run-env.ts). */
export class CompletionRun extends ApiCompletionRun {
  protected override appEnv(input: RunInput): AppEnv {
    return { ...super.appEnv(input), ...runEnvFor(input.workspaceId) } as AppEnv
  }
}

/** The ingest Worker's watch, which the API's INGEST_WATCH binding reaches (vitest.config.mts), on the bindings a test chose (watch-env.ts). */
export class IngestWatch extends IngestWorkerWatch {
  protected override appEnv(): AppEnv {
    return { ...super.appEnv(), ...watchEnv() } as AppEnv
  }
}

export default {
  fetch: api.fetch,
  queue: (batch: MessageBatch<IngestJob>, env: AppEnv) => consumeIngestBatch(batch, buildDeps(env)),
} satisfies ExportedHandler<AppEnv, IngestJob>
