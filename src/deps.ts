/**
 * @module The composition root: the only place that turns bindings and config into the ports
 * (ports.ts) that routes, the pipeline and the agent use. Each Worker entry calls it — the API Worker
 * (src/index.ts, for the app and the completion Durable Object) and the ingest Worker
 * (workers/ingest/index.ts, for the queue, the cron and the ingest watch) — and hands what it builds in;
 * no domain imports it. Tests build their ports from the same function.
 */
import { d1ChunkIndex } from './search/d1-chunk-index'
import { shardedChunkIndex } from './search/shards/sharded-index'
import { placedVectorStore } from './search/shards/placed-vectors'
import { readConfig, type AppEnv } from './config'
import { d1Database } from './db/client'
import type { QueueJob } from './ingest/jobs'
import { buildModels } from './models'
import type { PageRendering } from './ingest/perception/page-pictures'
import type { Ports } from './ports'
import { INGEST_WATCH_NAME, type IngestWatchPort } from './ingest/watch'
import { d1VectorStore } from './search/vector-d1'
import { vectorizeStore } from './search/vector-vectorize'
import { accessKeySet } from './tenancy/access-keys'

/** Every port; the name tests and roots use. */
export type Deps = Ports

// Bindings are the same object for the isolate's life; build the deps once per env.
const cache = new WeakMap<object, Deps>()

export function buildDeps(env: AppEnv): Deps {
  const cached = cache.get(env)
  if (cached) return cached
  const config = readConfig(env)
  const fetchPort: typeof fetch = (input, init) => fetch(input, init)
  const deps: Deps = {
    config,
    db: d1Database(env.DB),
    d1: env.DB,
    blobs: env.FILES,
    ingestQueue: env.INGEST_QUEUE as Queue<QueueJob>,
    models: buildModels(config, { AI: env.AI }),
    index: env.INDEX_SHARD ? shardedChunkIndex(env.DB, env.INDEX_SHARD) : d1ChunkIndex(env.DB),
    shards: env.INDEX_SHARD ?? null,
    // Without Vectorize, vectors are kept beside each workspace's chunks: in D1, or in its shards.
    vectors: env.VECTORS ? vectorizeStore(env.VECTORS) : env.INDEX_SHARD ? placedVectorStore(env.DB, env.INDEX_SHARD) : d1VectorStore(env.DB),
    // An RPC stub: its methods are the entrypoint's, which implements PageRendering.
    pageRendering: env.PAGE_RENDERER ? (env.PAGE_RENDERER as unknown as PageRendering) : null,
    ingestWatch: env.INGEST_WATCH ? ingestWatchOf(env.INGEST_WATCH) : null,
    sourceBuckets: sourceBucketsOf(env),
    fetch: fetchPort,
    rateLimits: {
      counters: {
        api: { token: env.API_LIMIT_PER_TOKEN, org: env.API_LIMIT_PER_ORG },
        ingest: { token: env.INGEST_LIMIT_PER_TOKEN, org: env.INGEST_LIMIT_PER_ORG },
      },
      periodSeconds: config.rateLimitPeriodSeconds,
    },
    accessKeys: config.access ? accessKeySet(config.access.certsUrl, fetchPort) : null,
  }
  cache.set(env, deps)
  return deps
}

/** A stub belongs to the request that made it, and deps outlive requests: one per call. */
function ingestWatchOf(namespace: DurableObjectNamespace): IngestWatchPort {
  return { ensure: () => (namespace.getByName(INGEST_WATCH_NAME) as unknown as IngestWatchPort).ensure() }
}

/** An R2 binding, told apart from other bindings by the methods only a bucket has. */
function isR2Bucket(value: unknown): value is R2Bucket {
  const v = value as Partial<R2Bucket> | null
  return typeof v === 'object' && v !== null && typeof v.list === 'function' && typeof v.head === 'function' && typeof v.createMultipartUpload === 'function'
}

/** Every R2 binding but Cairn's own `FILES`: binding a bucket to both Workers is how an operator offers it to sources. */
function sourceBucketsOf(env: AppEnv): ReadonlyMap<string, R2Bucket> {
  const buckets = new Map<string, R2Bucket>()
  for (const [name, value] of Object.entries(env)) if (name !== 'FILES' && isR2Bucket(value)) buckets.set(name, value)
  return buckets
}
