/**
 * @module One layout of a workspace's index as a move reads and writes it (move-workspace.ts): D1's
 * own tables, or the shards of one generation — pages of chunk rows and vectors out, rows in, counts
 * per file for the check pass, one file copied again, and emptying the layout once the move has left it.
 */
import { chunkUpserts, EXPORT_CHUNKS, EXPORT_ROWS, type ChunkRowJson, type MovedRow } from '../chunk-rows'
import { d1Runner } from '../sql-runner'
import { d1VectorRows, d1VectorStore, vectorRecord } from '../vector-d1'
import type { StoredVector } from '../vector-store'
import { shardOf, type Layout } from './placement'
import { groupBy, shardStub, type ShardNamespace } from './sharded-index'
import type { ShardFileRow } from './shard-schema'

export type MoveDeps = { d1: D1Database; shards: ShardNamespace }

/** Chunk rows per page copied: a few MB at most, well under RPC's 32 MiB message. */
const ROWS_PER_PAGE = 1_000

/** Vectors per page read from D1: 256 × 768 dimensions ≈ 1.6 MB of hex (a shard pages its own, shard-vectors.ts). */
const VECTORS_PER_PAGE = 256

/** Where a copy stands: the shard (0 for D1) and the last rowid copied from it. */
export type Cursor = { shard: number; rowid: number }
export const START: Cursor = { shard: 0, rowid: 0 }

/** One layout of a workspace as the move reads and writes it. */
export type Side = {
  /** A page of its rows from `cursor` on; `next` is null after the last. */
  exportPage(cursor: Cursor): Promise<{ rows: MovedRow[]; next: Cursor | null }>
  importRows(files: ShardFileRow[], rows: MovedRow[]): Promise<void>
  /** One file's rows in reading order, for copying it again. */
  exportFile(fileId: string, after: { part: number; position: number } | null): Promise<{ rows: ChunkRowJson[]; next: { part: number; position: number } | null }>
  /** Chunks per file, for these files. */
  countsOf(fileIds: string[]): Promise<Map<string, number>>
  /** A page of its vectors (of one file, when named) from `cursor` on; `next` is null after the last. */
  exportVectors(cursor: Cursor, fileId?: string): Promise<{ rows: StoredVector[]; next: Cursor | null }>
  importVectors(rows: StoredVector[]): Promise<void>
  /** Vectors per file, for these files. */
  vectorCountsOf(fileIds: string[]): Promise<Map<string, number>>
  /** A file's chunks and vectors. */
  remove(fileId: string): Promise<void>
  /** Empties it, slice by slice until `stop()` (checked after each); true once empty. */
  empty(stop: () => boolean): Promise<boolean>
}

/** Where a move works: the workspace, and the namespace its vectors have in D1. */
export type MoveAt = { orgId: string; workspaceId: string; vectors: string }

export function layoutSide(deps: MoveDeps, at: MoveAt, layout: Layout): Side {
  if (layout.shards === 0) return d1Side(deps.d1, at)
  const shard = (n: number) => shardStub(deps.shards, at, layout, n)
  const holder = (fileId: string) => shard(shardOf(fileId, layout.shards))
  return {
    async exportPage(cursor) {
      const page = await shard(cursor.shard).exportRows(cursor.rowid, ROWS_PER_PAGE)
      const next = page.next !== null ? { shard: cursor.shard, rowid: page.next } : cursor.shard + 1 < layout.shards ? { shard: cursor.shard + 1, rowid: 0 } : null
      return { rows: page.rows, next }
    },
    async importRows(files, rows) {
      await Promise.all(
        [...groupBy(files, (f) => shardOf(f.id, layout.shards))].map(([n, list]) => {
          const mine = new Set(list.map((f) => f.id))
          return shard(n).importRows(list, rows.filter((r) => mine.has(r.fileId)))
        }),
      )
    },
    exportFile: (fileId, after) => holder(fileId).exportChunks(fileId, after, ROWS_PER_PAGE),
    async countsOf(fileIds) {
      const lists = await Promise.all([...groupBy(fileIds, (id) => shardOf(id, layout.shards))].map(([n, ids]) => shard(n).chunkCounts(ids)))
      return new Map(lists.flat().map((c) => [c.fileId, c.n]))
    },
    async exportVectors(cursor, fileId) {
      if (fileId !== undefined) {
        const page = await holder(fileId).exportVectors(cursor.rowid, fileId)
        return { rows: page.rows, next: page.next === null ? null : { shard: cursor.shard, rowid: page.next } }
      }
      const page = await shard(cursor.shard).exportVectors(cursor.rowid, null)
      const next = page.next !== null ? { shard: cursor.shard, rowid: page.next } : cursor.shard + 1 < layout.shards ? { shard: cursor.shard + 1, rowid: 0 } : null
      return { rows: page.rows, next }
    },
    async importVectors(rows) {
      await Promise.all([...groupBy(rows, (r) => shardOf(r.fileId, layout.shards))].map(([n, list]) => shard(n).upsertVectors(list)))
    },
    async vectorCountsOf(fileIds) {
      const lists = await Promise.all([...groupBy(fileIds, (id) => shardOf(id, layout.shards))].map(([n, ids]) => shard(n).vectorCounts(ids)))
      return new Map(lists.flat().map((c) => [c.fileId, c.n]))
    },
    // A shard removes a file's vectors with its chunks.
    remove: async (fileId) => void (await holder(fileId).removeFiles([fileId])),
    async empty() {
      await Promise.all(Array.from({ length: layout.shards }, (_, n) => shard(n).drop()))
      return true
    },
  }
}

/** D1's own tables, for a workspace moving out of them or back into them. */
function d1Side(d1: D1Database, at: MoveAt): Side {
  const sql = d1Runner(d1)
  const vectors = d1VectorRows(d1, at.vectors)
  return {
    async exportPage(cursor) {
      const rows = await sql.all<MovedRow & { rowid: number }>(EXPORT_ROWS('org_id = ? AND workspace_id = ? AND'), [at.orgId, at.workspaceId, cursor.rowid, ROWS_PER_PAGE])
      return { rows: rows.map(({ fileId, row }) => ({ fileId, row })), next: rows.length === ROWS_PER_PAGE ? { shard: 0, rowid: rows.at(-1)!.rowid } : null }
    },
    async importRows(files, rows) {
      const statements = files.flatMap((file) =>
        chunkUpserts(
          { id: file.id, orgId: file.org_id, workspaceId: file.workspace_id, filename: file.filename },
          rows.filter((r) => r.fileId === file.id).map((r) => r.row),
        ),
      )
      if (statements.length > 0) await d1.batch(statements.map((s) => d1.prepare(s.sql).bind(...s.params)))
    },
    async exportFile(fileId, after) {
      const rows = await sql.all<{ row: string; part: number; position: number }>(EXPORT_CHUNKS, [fileId, after?.part ?? -1, after?.position ?? -1, ROWS_PER_PAGE])
      const last = rows.at(-1)
      return { rows: rows.map((r) => r.row), next: rows.length === ROWS_PER_PAGE && last ? { part: last.part, position: last.position } : null }
    },
    async countsOf(fileIds) {
      const rows = await sql.all<{ fileId: string; n: number }>('SELECT file_id AS fileId, count(*) AS n FROM chunks WHERE file_id IN (SELECT value FROM json_each(?)) GROUP BY file_id', [JSON.stringify(fileIds)])
      return new Map(rows.map((r) => [r.fileId, r.n]))
    },
    async exportVectors(cursor, fileId) {
      const page = await vectors.export(cursor.rowid, VECTORS_PER_PAGE, fileId ?? null)
      return { rows: page.rows, next: page.next === null ? null : { shard: 0, rowid: page.next } }
    },
    async importVectors(rows) {
      if (rows.length > 0) await d1VectorStore(d1).upsert(at, rows.map(vectorRecord))
    },
    vectorCountsOf: (fileIds) => vectors.counts(fileIds),
    async remove(fileId) {
      await d1.prepare('DELETE FROM chunks WHERE file_id = ?1').bind(fileId).run()
      await vectors.removeFile(fileId)
    },
    async empty(stop) {
      // In slices, so one statement never holds the whole workspace's delete (and its FTS triggers).
      for (;;) {
        const result = await d1
          .prepare('DELETE FROM chunks WHERE rowid IN (SELECT rowid FROM chunks WHERE org_id = ?1 AND workspace_id = ?2 LIMIT 1000)')
          .bind(at.orgId, at.workspaceId)
          .run()
        if (result.meta.changes === 0 && !(await vectors.emptySlice())) return true
        await breather()
        if (stop()) return false
      }
    },
  }
}

/**
 * A pause between pages of the copy, so the requests that waited meanwhile run: locally both Workers
 * and D1 share one thread, and a move that never paused held every question back until it ended.
 */
export const breather = () => new Promise((resolve) => setTimeout(resolve, 10))

/** Copies one file's chunks and vectors page by page. */
export async function copyFile(from: Side, to: Side, file: ShardFileRow): Promise<void> {
  let after: { part: number; position: number } | null = null
  do {
    const page = await from.exportFile(file.id, after)
    if (page.rows.length > 0) await to.importRows([file], page.rows.map((row) => ({ fileId: file.id, row })))
    after = page.next
  } while (after)
  for (let cursor: Cursor | null = START; cursor; ) {
    const page: { rows: StoredVector[]; next: Cursor | null } = await from.exportVectors(cursor, file.id)
    if (page.rows.length > 0) await to.importVectors(page.rows)
    cursor = page.next
  }
}
