/**
 * @module The vector-store port: chunk embeddings kept per workspace (a namespace each), written by
 * ingestion, removed with their files, queried by the semantic search arm. Adapters: `vectorizeStore`
 * (Cloudflare Vectorize), `d1VectorStore` (brute force over D1, for local runs and small deployments)
 * and `placedVectorStore` (shards/placed-vectors.ts: D1's, or the workspace's index shards').
 */
import type { VectorizeFilter } from '../filter'
import { utf8Length } from '../filter/vectorize-semantics'

export type VectorMetadata = Record<string, string | number | boolean>

export type VectorRecord = {
  /** A chunk id: at most 64 bytes (Vectorize's limit), unique across the whole index. */
  id: string
  values: Float32Array | number[]
  /** What filters may test; `vectorFilterMetadata()` builds it for a chunk. */
  metadata: VectorMetadata
}

export type VectorMatch = { id: string; score: number }

export type VectorQuery = {
  /** How many matches, best first; stores cap it at `maxTopK`. */
  topK: number
  /** Vectorize's filter language, with Vectorize's semantics in every store. */
  filter?: VectorizeFilter | undefined
}

/** Whose vectors: one workspace's, kept apart from every other's (`vectorNamespace`). */
export type VectorSpace = { orgId: string; workspaceId: string }

export type VectorStore = {
  /** `d1`: brute force beside the chunk index (D1's `vectors` table, or a sharded workspace's shards). */
  readonly kind: 'vectorize' | 'd1'
  /** The most matches one query returns (Vectorize: 100 without values or metadata). */
  readonly maxTopK: number
  /** Inserts or replaces, by id. */
  upsert(space: VectorSpace, vectors: readonly VectorRecord[]): Promise<void>
  /** Ids that are absent are ignored. */
  delete(space: VectorSpace, ids: readonly string[]): Promise<void>
  /** Cosine similarity, higher is better. */
  query(space: VectorSpace, vector: Float32Array | number[], options: VectorQuery): Promise<VectorMatch[]>
}

/** Vectorize's limits on names: a namespace and a vector id are each at most 64 bytes. */
export const MAX_NAMESPACE_BYTES = 64
export const MAX_VECTOR_ID_BYTES = 64

/**
 * The namespace of a workspace's vectors: `org/workspace` when that fits in 64 bytes, else `h:` and
 * a SHA-256 prefix of it (workspace ids may be 64 characters alone). The `h:` form cannot collide
 * with the plain one: org ids contain no `:`.
 * @example await vectorNamespace('org-abc', 'default') // 'org-abc/default'
 */
export async function vectorNamespace(orgId: string, workspaceId: string): Promise<string> {
  const plain = `${orgId}/${workspaceId}`
  if (utf8Length(plain) <= MAX_NAMESPACE_BYTES) return plain
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(plain))
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `h:${hex.slice(0, MAX_NAMESPACE_BYTES - 2)}`
}

/** Throws when a namespace or an id would be refused by Vectorize, before anything is written. */
export function checkNames(namespace: string, ids: Iterable<string>): void {
  if (namespace === '' || utf8Length(namespace) > MAX_NAMESPACE_BYTES) {
    throw new RangeError(`vector namespace "${namespace}" must be 1 to ${MAX_NAMESPACE_BYTES} bytes`)
  }
  for (const id of ids) {
    if (id === '' || utf8Length(id) > MAX_VECTOR_ID_BYTES) throw new RangeError(`vector id "${id}" must be 1 to ${MAX_VECTOR_ID_BYTES} bytes`)
  }
}

/** Cosine similarity; 0 when either vector is all zeros. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0
  let na = 0
  let nb = 0
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a[i]!
    const y = b[i]!
    dot += x * y
    na += x * x
    nb += y * y
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb)
}

/** Keeps the `k` best of a stream of matches without holding the rest: memory stays O(k). */
export class TopK {
  private readonly items: VectorMatch[] = []
  constructor(private readonly k: number) {}

  offer(match: VectorMatch): void {
    const items = this.items
    if (this.k <= 0) return
    if (items.length === this.k && !better(match, items[items.length - 1]!)) return
    let i = items.length
    while (i > 0 && better(match, items[i - 1]!)) i--
    items.splice(i, 0, match)
    if (items.length > this.k) items.pop()
  }

  best(): VectorMatch[] {
    return [...this.items]
  }
}

/** Higher score first; ties by id, so results do not depend on storage order. */
const better = (a: VectorMatch, b: VectorMatch) => a.score > b.score || (a.score === b.score && a.id < b.id)

/**
 * A page's own vector (its whole text, embedded at ingestion beside its chunks') is stored under its
 * first chunk's id with this suffix: Vectorize ids are unique across namespaces, so it cannot reuse
 * the chunk's, and the suffix leads a search back to the chunk that stands for the page.
 */
export const PAGE_VECTOR_SUFFIX = '~p'

export const pageVectorId = (firstChunkId: string) => `${firstChunkId}${PAGE_VECTOR_SUFFIX}`

/** The chunk a page vector stands for, or null for a chunk's own vector. */
export function pageVectorChunk(id: string): string | null {
  return id.endsWith(PAGE_VECTOR_SUFFIX) ? id.slice(0, -PAGE_VECTOR_SUFFIX.length) : null
}

/**
 * Removes the vectors of chunks, each from its workspace's namespace, and the page vectors any of them
 * stands for. Called with the chunk rows of files being deleted, whether or not an embedding model is
 * configured now: one may have been before.
 */
export async function deleteChunkVectors(store: VectorStore, chunks: ReadonlyArray<{ id: string; orgId: string; workspaceId: string }>): Promise<void> {
  const byWorkspace = new Map<string, { orgId: string; workspaceId: string; ids: string[] }>()
  for (const chunk of chunks) {
    const key = JSON.stringify([chunk.orgId, chunk.workspaceId])
    const group = byWorkspace.get(key) ?? { orgId: chunk.orgId, workspaceId: chunk.workspaceId, ids: [] }
    group.ids.push(chunk.id, pageVectorId(chunk.id))
    byWorkspace.set(key, group)
  }
  for (const group of byWorkspace.values()) await store.delete({ orgId: group.orgId, workspaceId: group.workspaceId }, group.ids)
}

/** A vector as the brute-force stores keep it (D1's table, a shard's), and as a move carries it. */
export type StoredVector = { id: string; fileId: string; metadata: string; values: Float32Array }

/** A record's row as the brute-force stores keep it: `file_id` read from its metadata (every chunk's has one). */
export function storedVector(record: VectorRecord): StoredVector {
  return {
    id: record.id,
    fileId: typeof record.metadata.file_id === 'string' ? record.metadata.file_id : '',
    metadata: JSON.stringify(record.metadata),
    values: record.values instanceof Float32Array ? record.values : Float32Array.from(record.values),
  }
}
