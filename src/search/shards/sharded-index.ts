/**
 * @module The chunk index as every workspace's placement says (placement.ts): D1's own tables for a
 * workspace with no shards, else its `IndexShard` objects — a file's reads and writes go to the shard
 * that holds it, a question fans out to all of them at once and their best hits are merged by score.
 *
 * Scores merge as they are: each shard scores with its own BM25 statistics, a fair sample of the
 * workspace's because files are dealt by hash (docs/scale.md measured no loss in nDCG@10 on 50×
 * SciFact over 2, 4 and 8 shards). Each shard gets its share of the rare-word budget
 * (term-rarity.ts), so the work of all shards together stays that of one index.
 */
import type { ChunkHit } from '../chunk-hits'
import type { ChunkIndex, FileAt } from '../chunk-index'
import { chunkRows, fileOfChunk, rowPages, type ChunkRef } from '../chunk-rows'
import { d1ChunkIndex } from '../d1-chunk-index'
import type { ListedFile } from '../page-reader'
import { RARE_POSTINGS_BUDGET } from '../term-rarity'
import type { IndexShardObject } from './index-shard'
import { readPlacement, shardName, shardOf, writeLayouts, type Layout } from './placement'
import { SELECT_SHARD_FILES, type ShardFileRow } from './shard-schema'

/** The shard's methods as a stub calls them (RPC's own types cannot carry a hit's `unknown` metadata values). */
type ShardStub = { [K in keyof IndexShardObject as K extends 'lexical' | 'load' | 'readPage' | 'readAround' | 'listFilesByAge' | 'excerpt' | 'writePart' | 'publish' | 'removeFiles' | 'exportChunks' | 'exportRows' | 'importRows' | 'chunkCounts' | 'fileChunkCount' | 'drop' | 'upsertVectors' | 'deleteVectors' | 'queryVectors' | 'exportVectors' | 'vectorCounts' ? K : never]: IndexShardObject[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never }

/** The `INDEX_SHARD` binding. */
export type ShardNamespace = DurableObjectNamespace

/** Characters of chunk JSON per call to a shard: a few MB, against RPC's 32 MiB per message. */
const SHARD_CALL_CHARS = 4_000_000

/** Shard `n` of a layout of a workspace. */
export function shardStub(namespace: ShardNamespace, at: { orgId: string; workspaceId: string }, layout: Layout, n: number): ShardStub {
  return namespace.getByName(shardName(at.orgId, at.workspaceId, layout, n)) as unknown as ShardStub
}

/**
 * @example const index = shardedChunkIndex(env.DB, env.INDEX_SHARDS); await index.lexical({ orgId, workspaceId, query, limit: 50 })
 */
export function shardedChunkIndex(d1: D1Database, namespace: ShardNamespace): ChunkIndex {
  const single = d1ChunkIndex(d1)
  const stub = (at: { orgId: string; workspaceId: string }, layout: Layout, n: number) => shardStub(namespace, at, layout, n)
  const all = (at: { orgId: string; workspaceId: string }, layout: Layout) => Array.from({ length: layout.shards }, (_, n) => stub(at, layout, n))
  const holder = (file: FileAt, layout: Layout) => stub(file, layout, shardOf(file.id, layout.shards))
  const current = (at: { orgId: string; workspaceId: string }) => readPlacement(d1, at.orgId, at.workspaceId)

  return {
    async lexical(request) {
      const layout = await current(request)
      if (layout.shards === 0) return single.lexical(request)
      const budget = Math.ceil(RARE_POSTINGS_BUDGET / layout.shards)
      const answers = await Promise.all(all(request, layout).map((shard) => shard.lexical(request, budget)))
      return {
        hits: byScore(answers.flatMap((a) => a.hits)).slice(0, Math.max(0, Math.floor(request.limit))),
        rowsRead: answers.reduce((sum, a) => sum + a.rowsRead, 0),
      }
    },

    async load(scope, found) {
      const layout = await current(scope)
      if (layout.shards === 0) return single.load(scope, found)
      const byShard = new Map<number, Array<{ chunkId: string; score: number }>>()
      for (const hit of found) {
        const n = shardOf(fileOfChunk(hit.chunkId), layout.shards)
        byShard.set(n, [...(byShard.get(n) ?? []), hit])
      }
      const loaded = await Promise.all([...byShard].map(([n, hits]) => stub(scope, layout, n).load(scope, hits)))
      const byId = new Map(loaded.flat().map((hit) => [hit.chunkId, hit]))
      return found.flatMap((f) => byId.get(f.chunkId) ?? [])
    },

    async readPage(scope, fileId, page) {
      const layout = await current(scope)
      return layout.shards === 0 ? single.readPage(scope, fileId, page) : holder({ ...scope, id: fileId }, layout).readPage(scope, fileId, page)
    },

    async readAround(scope, chunkId, radius) {
      const layout = await current(scope)
      return layout.shards === 0 ? single.readAround(scope, chunkId, radius) : holder({ ...scope, id: fileOfChunk(chunkId) }, layout).readAround(scope, chunkId, radius)
    },

    async listFiles(scope, limit = 50) {
      const layout = await current(scope)
      if (layout.shards === 0) return single.listFiles(scope, limit)
      const lists = await Promise.all(all(scope, layout).map((shard) => shard.listFilesByAge(scope, limit)))
      const files = lists.flatMap((l) => l.files).sort((a, b) => b.createdAtMs - a.createdAtMs || (a.file_id < b.file_id ? -1 : 1))
      return { total: lists.reduce((sum, l) => sum + l.total, 0), files: files.slice(0, limit).map(({ createdAtMs: _, ...file }): ListedFile => file) }
    },

    async excerpt(file, limit) {
      const layout = await current(file)
      return layout.shards === 0 ? single.excerpt(file, limit) : holder(file, layout).excerpt(file.id, limit)
    },

    async writePart(file, part, chunks) {
      const layouts = writeLayouts(await current(file))
      const rows = chunkRows(part, chunks)
      // The file's row travels with its chunks only to shards; D1's tables join it themselves.
      const [copy] = layouts.some((l) => l.shards > 0) ? await fileRows(d1, [file.id]) : []
      for (const layout of layouts) {
        if (layout.shards === 0) await single.writePart(file, part, chunks)
        // A file deleted while its part was parsed: nothing to index (the caller then removes what is left).
        else if (copy) {
          // A big sheet's part is more than one message may carry: the first page replaces the part, the rest add to it.
          const [first, ...rest] = rowPages(rows, SHARD_CALL_CHARS)
          const shard = holder(file, layout)
          await shard.writePart(copy, part, first!)
          for (const page of rest) await shard.importRows([copy], page.map((row) => ({ fileId: file.id, row })))
        }
      }
    },

    async publish(files) {
      for (const group of byWorkspace(files)) {
        const shardLayouts = writeLayouts(await current(group[0]!)).filter((l) => l.shards > 0)
        if (shardLayouts.length === 0) continue
        const rows = await fileRows(d1, group.map((f) => f.id))
        for (const layout of shardLayouts) {
          await Promise.all([...groupBy(rows, (row) => shardOf(row.id, layout.shards))].map(([n, list]) => stub(group[0]!, layout, n).publish(list)))
        }
      }
    },

    async removeFiles(files) {
      const refs = new Map<string, ChunkRef>()
      for (const group of byWorkspace(files)) {
        const placement = await current(group[0]!)
        for (const layout of writeLayouts(placement)) {
          const removed =
            layout.shards === 0
              ? [await single.removeFiles(group)]
              : await Promise.all([...groupBy(group, (f) => shardOf(f.id, layout.shards))].map(([n, list]) => stub(group[0]!, layout, n).removeFiles(list.map((f) => f.id))))
          for (const ref of removed.flat()) refs.set(ref.id, ref)
        }
      }
      return [...refs.values()]
    },
  }
}

/** Best first, ties by chunk id, so the merge of the same lists is always the same. */
function byScore(hits: ChunkHit[]): ChunkHit[] {
  return hits.sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : a.chunkId > b.chunkId ? 1 : 0))
}

/** D1's rows of these files in the columns a shard keeps; a deleted file has none. */
export async function fileRows(d1: D1Database, ids: readonly string[]): Promise<ShardFileRow[]> {
  if (ids.length === 0) return []
  const { results } = await d1.prepare(`${SELECT_SHARD_FILES} WHERE id IN (SELECT value FROM json_each(?1))`).bind(JSON.stringify(ids)).all<ShardFileRow>()
  return results
}

function byWorkspace<T extends FileAt>(files: readonly T[]): T[][] {
  return [...groupBy(files, (f) => `${f.orgId}/${f.workspaceId}`).values()]
}

/** Items by key, in first-seen order. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = groups.get(k)
    if (list) list.push(item)
    else groups.set(k, [item])
  }
  return groups
}
