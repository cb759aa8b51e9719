/**
 * @module The composition root: the only place that turns bindings and config into the
 * things routes, the pipeline and the agent use. Tests build `Deps` from the same function.
 */
import { readConfig, type AppEnv, type Config } from './config'
import { d1Database, type Db } from './db/client'
import type { QueueJob } from './ingest/jobs'
import { buildModels } from './models'
import type { Models } from './models/ports'
import type { PageRendering } from './ingest/perception/page-pictures'
import { INGEST_WATCH_NAME, type IngestWatchPort } from './ingest/watch'
import { d1VectorStore } from './search/vector-d1'
import type { VectorStore } from './search/vector-store'
import { vectorizeStore } from './search/vector-vectorize'

export type Deps = {
  config: Config
  db: Db
  /** The raw D1 binding, for batches and SQL Drizzle does not express (FTS5, readiness checks). */
  d1: D1Database
  blobs: R2Bucket
  /** File ingestion and metadata extraction messages. */
  ingestQueue: Queue<QueueJob>
  /** One adapter per model role, null where the role is off. */
  models: Models
  /** Vectorize when the `VECTORS` binding exists (deployed), else the D1 store (local runs). */
  vectors: VectorStore
  /** Draws PDF pages no one has drawn yet: the ingest Worker over the `PAGE_RENDERER` binding, when bound. */
  pageRendering: PageRendering | null
  /** The Durable Object whose alarm sweeps stalled ingestion (`IngestWatch`), when bound. */
  ingestWatch: IngestWatchPort | null
}

// Bindings are the same object for the isolate's life; build the deps once per env.
const cache = new WeakMap<object, Deps>()

export function buildDeps(env: AppEnv): Deps {
  const cached = cache.get(env)
  if (cached) return cached
  const config = readConfig(env)
  const deps: Deps = {
    config,
    db: d1Database(env.DB),
    d1: env.DB,
    blobs: env.FILES,
    ingestQueue: env.INGEST_QUEUE as Queue<QueueJob>,
    models: buildModels(config, { AI: env.AI }),
    vectors: env.VECTORS ? vectorizeStore(env.VECTORS) : d1VectorStore(env.DB),
    // An RPC stub: its methods are the entrypoint's, which implements PageRendering.
    pageRendering: env.PAGE_RENDERER ? (env.PAGE_RENDERER as unknown as PageRendering) : null,
    ingestWatch: env.INGEST_WATCH ? ingestWatchOf(env.INGEST_WATCH) : null,
  }
  cache.set(env, deps)
  return deps
}

/** A stub belongs to the request that made it, and deps outlive requests: one per call. */
function ingestWatchOf(namespace: DurableObjectNamespace): IngestWatchPort {
  return { ensure: () => (namespace.getByName(INGEST_WATCH_NAME) as unknown as IngestWatchPort).ensure() }
}
