/**
 * @module The vector store where no Vectorize index is bound, as each workspace's placement says
 * (placement.ts): D1's `vectors` table for a workspace whose index is in D1, else the workspace's
 * `IndexShard` objects — a vector lives in the shard that holds its chunk (a chunk id names its file,
 * and a file's shard is a hash of its id), a question fans out to every shard and the best matches
 * are merged by score. Cosine scores need no shared statistics, so the merge is exact: the same
 * matches as one brute-force scan of the whole workspace.
 *
 * Writes reach every layout a move's claim names (`writeLayouts`), as chunks do; reads the current one.
 */
import { fileOfChunk } from '../chunk-rows'
import { d1VectorStore } from '../vector-d1'
import { MAX_TOP_K } from '../vector-scan'
import { checkNames, storedVector, TopK, vectorNamespace, type VectorSpace, type VectorStore } from '../vector-store'
import { readPlacement, shardOf, writeLayouts, type Layout } from './placement'
import { groupBy, shardStub, type ShardNamespace } from './sharded-index'

/**
 * @example const vectors = placedVectorStore(env.DB, env.INDEX_SHARD); await vectors.query({ orgId, workspaceId }, embedding, { topK: 40 })
 */
export function placedVectorStore(d1: D1Database, namespace: ShardNamespace, inD1: VectorStore = d1VectorStore(d1)): VectorStore {
  const stub = (space: VectorSpace, layout: Layout, n: number) => shardStub(namespace, space, layout, n)
  /** Ids by the shard of `layout` that holds their chunk's file (a page vector's id is its first chunk's, suffixed). */
  const byShard = <T>(items: readonly T[], id: (item: T) => string, layout: Layout) => groupBy(items, (item) => shardOf(fileOfChunk(id(item)), layout.shards))
  // The same names Vectorize would accept, whichever place keeps them.
  const check = async (space: VectorSpace, ids: readonly string[]) => checkNames(await vectorNamespace(space.orgId, space.workspaceId), ids)

  return {
    kind: 'd1',
    maxTopK: MAX_TOP_K,
    async upsert(space, vectors) {
      await check(space, vectors.map((v) => v.id))
      for (const layout of writeLayouts(await readPlacement(d1, space.orgId, space.workspaceId))) {
        if (layout.shards === 0) await inD1.upsert(space, vectors)
        else await Promise.all([...byShard(vectors, (v) => v.id, layout)].map(([n, list]) => stub(space, layout, n).upsertVectors(list.map(storedVector))))
      }
    },
    async delete(space, ids) {
      for (const layout of writeLayouts(await readPlacement(d1, space.orgId, space.workspaceId))) {
        if (layout.shards === 0) await inD1.delete(space, ids)
        else await Promise.all([...byShard(ids, (id) => id, layout)].map(([n, list]) => stub(space, layout, n).deleteVectors(list)))
      }
    },
    async query(space, vector, options) {
      const layout = await readPlacement(d1, space.orgId, space.workspaceId)
      if (layout.shards === 0) return inD1.query(space, vector, options)
      const query = vector instanceof Float32Array ? vector : Float32Array.from(vector)
      const lists = await Promise.all(Array.from({ length: layout.shards }, (_, n) => stub(space, layout, n).queryVectors(query, options)))
      // The shards' lists merged by the same order each shard kept them in (TopK: score, ties by id).
      const best = new TopK(Math.max(1, Math.min(Math.floor(options.topK), MAX_TOP_K)))
      for (const match of lists.flat()) best.offer(match)
      return best.best()
    },
  }
}
