/**
 * @module The composition root: the only place that turns bindings and config into the
 * things routes, the pipeline and the agent use. Tests build `Deps` from the same function.
 */
import { readConfig, type AppEnv, type Config } from './config'
import { d1Database, type Db } from './db/client'
import type { IngestJob } from './ingest/jobs'

export type Deps = {
  config: Config
  db: Db
  /** The raw D1 binding, for batches and SQL Drizzle does not express (FTS5, readiness checks). */
  d1: D1Database
  blobs: R2Bucket
  ingestQueue: Queue<IngestJob>
}

// Bindings are the same object for the isolate's life; build the deps once per env.
const cache = new WeakMap<object, Deps>()

export function buildDeps(env: AppEnv): Deps {
  const cached = cache.get(env)
  if (cached) return cached
  const deps: Deps = {
    config: readConfig(env),
    db: d1Database(env.DB),
    d1: env.DB,
    blobs: env.FILES,
    ingestQueue: env.INGEST_QUEUE as Queue<IngestJob>,
  }
  cache.set(env, deps)
  return deps
}
