/**
 * @module Moving a workspace's index to another layout: from D1's own tables to shards, to more or
 * fewer shards, or back. The workspace keeps answering throughout:
 *
 * 1. The move is claimed on the workspace's row (`index_next_shards`); from then on every write goes
 *    to the current layout and to the next (placement.ts's `writeLayouts`), while reads stay on the
 *    current one.
 * 2. Every file is copied whole, page by page of its chunk rows, from the current layout to the next.
 * 3. A check pass compares each file's chunk count in both and copies again any that differ (a write
 *    that read the placement just before the claim and landed after its file was copied).
 * 4. One conditional D1 write switches the workspace to the next generation; a question already
 *    running finishes on the generation it read.
 * 5. The old layout is emptied: its shards dropped, or its rows deleted from D1's tables.
 *
 * A move that stops part-way (a crash) leaves the claim: running it again with the same shard count
 * picks it up and copies again (the copy writes each row by its id, so copying twice changes nothing).
 */
import { chunkUpserts, EXPORT_CHUNKS, type ChunkRowJson } from '../chunk-rows'
import { d1Runner } from '../sql-runner'
import { shardOf, type Layout } from './placement'
import { fileRows, shardStub, type ShardNamespace } from './sharded-index'
import type { ShardFileRow } from './shard-schema'

/** Chunk rows per page copied: a few MB at most, well under RPC's 32 MiB message. */
const ROWS_PER_PAGE = 1_000

/** Files named per D1 read. */
const FILES_PER_READ = 200

export type MoveReport = { from: Layout; to: Layout; files: number; chunks: number; recopied: number }

export class MoveError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message)
  }
}

export type MoveDeps = { d1: D1Database; shards: ShardNamespace }

/**
 * @example await moveWorkspaceIndex({ d1: env.DB, shards: env.INDEX_SHARD }, orgId, 'legal', 4)
 */
export async function moveWorkspaceIndex(deps: MoveDeps, orgId: string, workspaceId: string, toShards: number): Promise<MoveReport> {
  const claimed = await deps.d1
    .prepare(
      `UPDATE workspaces SET index_next_shards = ?3 WHERE org_id = ?1 AND id = ?2 AND (index_next_shards IS NULL OR index_next_shards = ?3)
       RETURNING index_shards AS shards, index_generation AS generation`,
    )
    .bind(orgId, workspaceId, toShards)
    .first<Layout>()
  if (!claimed) {
    const placement = await deps.d1.prepare('SELECT index_next_shards AS next FROM workspaces WHERE org_id = ?1 AND id = ?2').bind(orgId, workspaceId).first<{ next: number }>()
    if (!placement) throw new MoveError('not_found', `No workspace "${workspaceId}".`)
    throw new MoveError('conflict', `Workspace "${workspaceId}" is already moving to ${placement.next} shards; run that move again to finish it.`)
  }
  const from: Layout = { shards: claimed.shards, generation: claimed.generation }
  const to: Layout = { shards: toShards, generation: claimed.generation + 1 }
  const at = { orgId, workspaceId }
  const side = (layout: Layout) => layoutSide(deps, at, layout)

  let files = 0
  let chunks = 0
  const copied: string[] = []
  for await (const rows of workspaceFiles(deps.d1, orgId, workspaceId)) {
    for (const row of rows) {
      chunks += await copyFile(side(from), side(to), row)
      copied.push(row.id)
      files++
    }
  }
  let recopied = 0
  for (let i = 0; i < copied.length; i += FILES_PER_READ) {
    for (const row of await fileRows(deps.d1, copied.slice(i, i + FILES_PER_READ))) {
      if ((await side(from).count(row.id)) === (await side(to).count(row.id))) continue
      await side(to).remove(row.id)
      await copyFile(side(from), side(to), row)
      recopied++
    }
  }
  const switched = await deps.d1
    .prepare(
      `UPDATE workspaces SET index_shards = ?3, index_generation = ?4, index_next_shards = NULL
       WHERE org_id = ?1 AND id = ?2 AND index_generation = ?5 AND index_next_shards = ?3`,
    )
    .bind(orgId, workspaceId, to.shards, to.generation, from.generation)
    .run()
  if (switched.meta.changes !== 1) throw new MoveError('conflict', `Workspace "${workspaceId}" changed while its index moved; run the move again.`)
  await side(from).empty()
  return { from, to, files, chunks, recopied }
}

/** One layout of a workspace as the move reads and writes it. */
type Side = {
  exportPage(fileId: string, after: { part: number; position: number } | null): Promise<{ rows: ChunkRowJson[]; next: { part: number; position: number } | null }>
  importRows(file: ShardFileRow, rows: ChunkRowJson[]): Promise<void>
  count(fileId: string): Promise<number>
  remove(fileId: string): Promise<void>
  empty(): Promise<void>
}

function layoutSide(deps: MoveDeps, at: { orgId: string; workspaceId: string }, layout: Layout): Side {
  if (layout.shards === 0) return d1Side(deps.d1, at)
  const holder = (fileId: string) => shardStub(deps.shards, at, layout, shardOf(fileId, layout.shards))
  return {
    exportPage: (fileId, after) => holder(fileId).exportChunks(fileId, after, ROWS_PER_PAGE),
    importRows: (file, rows) => holder(file.id).importChunks(file, rows),
    count: async (fileId) => (await holder(fileId).fileChunkCount(fileId)),
    remove: async (fileId) => void (await holder(fileId).removeFiles([fileId])),
    async empty() {
      await Promise.all(Array.from({ length: layout.shards }, (_, n) => shardStub(deps.shards, at, layout, n).drop()))
    },
  }
}

/** D1's own tables, for a workspace moving out of them or back into them. */
function d1Side(d1: D1Database, at: { orgId: string; workspaceId: string }): Side {
  const sql = d1Runner(d1)
  return {
    async exportPage(fileId, after) {
      const rows = await sql.all<{ row: string; part: number; position: number }>(EXPORT_CHUNKS, [fileId, after?.part ?? -1, after?.position ?? -1, ROWS_PER_PAGE])
      const last = rows.at(-1)
      return { rows: rows.map((r) => r.row), next: rows.length === ROWS_PER_PAGE && last ? { part: last.part, position: last.position } : null }
    },
    async importRows(file, rows) {
      const statements = chunkUpserts({ id: file.id, orgId: file.org_id, workspaceId: file.workspace_id, filename: file.filename }, rows)
      if (statements.length > 0) await d1.batch(statements.map((s) => d1.prepare(s.sql).bind(...s.params)))
    },
    async count(fileId) {
      return (await d1.prepare('SELECT count(*) AS n FROM chunks WHERE file_id = ?1').bind(fileId).first<{ n: number }>())?.n ?? 0
    },
    async remove(fileId) {
      await d1.prepare('DELETE FROM chunks WHERE file_id = ?1').bind(fileId).run()
    },
    async empty() {
      // In slices, so one statement never holds the whole workspace's delete (and its FTS triggers).
      for (;;) {
        const result = await d1
          .prepare('DELETE FROM chunks WHERE rowid IN (SELECT rowid FROM chunks WHERE org_id = ?1 AND workspace_id = ?2 LIMIT 5000)')
          .bind(at.orgId, at.workspaceId)
          .run()
        if (result.meta.changes === 0) return
      }
    },
  }
}

/** Copies one file's chunks page by page; returns how many. */
async function copyFile(from: Side, to: Side, file: ShardFileRow): Promise<number> {
  let after: { part: number; position: number } | null = null
  let copied = 0
  do {
    const page = await from.exportPage(file.id, after)
    if (page.rows.length > 0) await to.importRows(file, page.rows)
    copied += page.rows.length
    after = page.next
  } while (after)
  return copied
}

/** The workspace's files in id order, a read at a time: every status, since a file being ingested has chunks too. */
async function* workspaceFiles(d1: D1Database, orgId: string, workspaceId: string): AsyncGenerator<ShardFileRow[]> {
  let after = ''
  for (;;) {
    const { results } = await d1
      .prepare('SELECT id FROM files WHERE org_id = ?1 AND workspace_id = ?2 AND id > ?3 ORDER BY id LIMIT ?4')
      .bind(orgId, workspaceId, after, FILES_PER_READ)
      .all<{ id: string }>()
    if (results.length === 0) return
    yield await fileRows(d1, results.map((r) => r.id))
    after = results.at(-1)!.id
  }
}
