/**
 * @module The ports Cairn's domains run on, by name: storage, queue, models, vector store, page
 * renderer, ingest watch, Access's signing keys. Types only. A domain module asks for the ones it needs
 * (`Pick<Ports, 'd1' | 'models'>`); each Worker entry's composition root (deps.ts's `buildDeps`, called
 * by src/index.ts and workers/ingest/index.ts) builds them from the bindings once and hands them in.
 */
import type { Config } from './config'
import type { Db } from './db/client'
import type { QueueJob } from './ingest/jobs'
import type { PageRendering } from './ingest/perception/page-pictures'
import type { IngestWatchPort } from './ingest/watch'
import type { Models } from './models/ports'
import type { ChunkIndex } from './search/chunk-index'
import type { ShardNamespace } from './search/shards/sharded-index'
import type { VectorStore } from './search/vector-store'
import type { AccessKeys } from './tenancy/access-keys'
import type { RateLimits } from './tenancy/rate-limits'

export type Ports = {
  config: Config
  db: Db
  /** The raw D1 binding, for batches and SQL Drizzle does not express (FTS5, readiness checks). */
  d1: D1Database
  blobs: R2Bucket
  /** File ingestion and metadata extraction messages. */
  ingestQueue: Queue<QueueJob>
  /** One adapter per model role, null where the role is off. */
  models: Models
  /** Where each workspace's chunks are indexed and searched: D1's own tables, or its IndexShard objects (`INDEX_SHARD`). */
  index: ChunkIndex
  /** The `INDEX_SHARD` objects themselves, for moving a workspace's index between layouts; null where unbound. */
  shards: ShardNamespace | null
  /** Vectorize when the `VECTORS` binding exists (deployed), else the D1 store (local runs). */
  vectors: VectorStore
  /** Draws PDF pages no one has drawn yet: the ingest Worker over the `PAGE_RENDERER` binding, when bound. */
  pageRendering: PageRendering | null
  /** The Durable Object whose alarm sweeps stalled ingestion (`IngestWatch`), when bound. */
  ingestWatch: IngestWatchPort | null
  /** The R2 buckets bound for sources to read in place (every R2 binding but `FILES`), by binding name. */
  sourceBuckets: ReadonlyMap<string, R2Bucket>
  /** How a source reaches S3 endpoints and websites, and Access's signing keys are fetched; tests hand in their own. */
  fetch: typeof fetch
  /** The request counters per budget and scope (`[[ratelimits]]` bindings); an unbound one does not limit. */
  rateLimits: RateLimits
  /** Cloudflare Access's signing keys, fetched and cached, when Access sign-in is configured (`config.access`). */
  accessKeys: AccessKeys | null
}
