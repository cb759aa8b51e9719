/**
 * @module The Vectorize adapter: one namespace per workspace, upserts in batches of 1,000 (the
 * Workers limit), deletes by id in batches, queries capped at topK 100 (no values, no metadata
 * returned: the chunk rows in D1 hold what a hit needs). Filters arrive already compiled by
 * `compileToVectorize`, on the properties that have metadata indexes (scripts/lib/deploy-plan.mjs).
 *
 * Vectorize applies mutations asynchronously (seconds): a query just after a delete may still name
 * the deleted chunks, which loading hits from D1 drops.
 */
import { checkNames, vectorNamespace, type VectorStore } from './vector-store'

/** The part of the binding this adapter uses; both `Vectorize` and the older `VectorizeIndex` types fit. */
export type VectorizeBinding = {
  query(vector: VectorFloatArray | number[], options?: VectorizeQueryOptions): Promise<VectorizeMatches>
  upsert(vectors: VectorizeVector[]): Promise<unknown>
  deleteByIds(ids: string[]): Promise<unknown>
}

export const VECTORIZE_LIMITS = {
  /** Vectors per upsert from a Worker. */
  upsertBatch: 1000,
  /** Ids per deleteByIds; undocumented, so the upsert limit is used. */
  deleteBatch: 1000,
  /** topK without values or metadata; 20 with them. */
  topK: 100,
} as const

/**
 * @example
 * const store = vectorizeStore(env.VECTORS)
 * await store.query({ orgId, workspaceId: 'default' }, embedding, { topK: 50, filter: { modality: { $eq: 'table' } } })
 */
export function vectorizeStore(index: VectorizeBinding): VectorStore {
  return {
    kind: 'vectorize',
    maxTopK: VECTORIZE_LIMITS.topK,
    async upsert(space, vectors) {
      const namespace = await vectorNamespace(space.orgId, space.workspaceId)
      checkNames(namespace, vectors.map((v) => v.id))
      for (let i = 0; i < vectors.length; i += VECTORIZE_LIMITS.upsertBatch) {
        const batch = vectors.slice(i, i + VECTORIZE_LIMITS.upsertBatch)
        await index.upsert(batch.map((v) => ({ id: v.id, values: v.values, namespace, metadata: v.metadata })))
      }
    },
    async delete(_space, ids) {
      // Vector ids are unique across the index, so deleting needs no namespace.
      for (let i = 0; i < ids.length; i += VECTORIZE_LIMITS.deleteBatch) await index.deleteByIds(ids.slice(i, i + VECTORIZE_LIMITS.deleteBatch))
    },
    async query(space, vector, { topK, filter }) {
      const namespace = await vectorNamespace(space.orgId, space.workspaceId)
      const k = Math.max(1, Math.min(Math.floor(topK), VECTORIZE_LIMITS.topK))
      const hasFilter = filter !== undefined && Object.keys(filter).length > 0
      const result = await index.query(vector, {
        topK: k,
        namespace,
        returnValues: false,
        returnMetadata: 'none',
        ...(hasFilter ? { filter: filter as VectorizeVectorMetadataFilter } : {}),
      })
      return result.matches.map((m) => ({ id: m.id, score: m.score }))
    },
  }
}
