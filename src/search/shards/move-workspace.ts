/**
 * @module Moving a workspace's index to another layout: from D1's own tables to shards, to more or
 * fewer shards, or back. The workspace keeps answering throughout:
 *
 * 1. The move is claimed on the workspace's row (`index_next_shards`); from then on every write goes
 *    to the current layout and to the next (placement.ts's `writeLayouts`), while reads stay on the
 *    current one.
 * 2. Every chunk row is copied, a page of rows in rowid order at a time, from the current layout to
 *    the next, each to the shard its file hashes to there; then the same for the chunks' vectors when
 *    they are kept beside the chunks (no Vectorize index: D1's `vectors` table, or the shards').
 * 3. A check pass compares each file's chunk and vector counts in both and copies that file again where
 *    they differ (a write that read the placement just before the claim and landed after its rows were copied).
 * 4. One conditional D1 write switches the workspace to the next generation; a question already
 *    running finishes on the generation it read.
 * 5. The old layout is emptied: its shards dropped, or its rows deleted from D1's tables.
 *
 * The ingest queue runs a move in steps (`startMove`, then `continueMove`), each bounded in time and
 * carrying where it stands (`MoveProgress`) to the next message: a workspace of millions of chunks
 * takes hours to copy, far past what one consumer invocation may run. A move that stops part-way
 * (a crash, a message that exhausted its retries) leaves the claim: running it again with the same
 * shard count copies again from the start (each row is written by its id, so copying twice changes nothing).
 */
import { chunkUpserts, EXPORT_CHUNKS, EXPORT_ROWS, type ChunkRowJson, type MovedRow } from '../chunk-rows'
import { d1Runner } from '../sql-runner'
import { d1VectorRows, d1VectorStore, vectorRecord } from '../vector-d1'
import { vectorNamespace, type StoredVector } from '../vector-store'
import { shardOf, type Layout } from './placement'
import { fileRows, groupBy, shardStub, type ShardNamespace } from './sharded-index'
import type { ShardFileRow } from './shard-schema'

/** Chunk rows per page copied: a few MB at most, well under RPC's 32 MiB message. */
const ROWS_PER_PAGE = 1_000

/** Vectors per page read from D1: 256 × 768 dimensions ≈ 1.6 MB of hex (a shard pages its own, shard-vectors.ts). */
const VECTORS_PER_PAGE = 256

/** Files named per D1 read. */
const FILES_PER_READ = 200

export type MoveReport = { from: Layout; to: Layout; files: number; chunks: number; vectors: number; recopied: number }

export class MoveError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict',
    message: string,
  ) {
    super(message)
  }
}

export type MoveDeps = { d1: D1Database; shards: ShardNamespace }

/** Where a move stands between steps: carried by the queue message that continues it. */
export type MoveProgress = {
  from: Layout
  to: Layout
  /** Copying chunk rows, then vectors, then checking each file, then emptying the old layout. */
  phase: 'chunks' | 'vectors' | 'check' | 'empty'
  /** Where the copy of the current phase resumes. */
  cursor: Cursor
  /** The last file id checked. */
  fileAfter: string
  chunks: number
  vectors: number
  files: number
  recopied: number
}

export type MoveStep = { done: true; report: MoveReport } | { done: false; progress: MoveProgress }

/**
 * Runs a whole move in one go (tests, small workspaces); the ingest queue runs it in steps instead
 * (`startMove`, then `continueMove` until done), each within one consumer invocation's time.
 * @example await moveWorkspaceIndex({ d1: env.DB, shards: env.INDEX_SHARD }, orgId, 'legal', 4)
 */
export async function moveWorkspaceIndex(deps: MoveDeps, orgId: string, workspaceId: string, toShards: number): Promise<MoveReport> {
  for (let progress = await startMove(deps, orgId, workspaceId, toShards); ; ) {
    const step = await continueMove(deps, orgId, workspaceId, progress, () => false)
    if (step.done) return step.report
    progress = step.progress
  }
}

/** Step 1: claims the move (or finds it claimed for the same count) and says where it starts. */
export async function startMove(deps: MoveDeps, orgId: string, workspaceId: string, toShards: number): Promise<MoveProgress> {
  const claimed = await claimMove(deps.d1, orgId, workspaceId, toShards)
  if (!claimed) {
    const placement = await deps.d1.prepare('SELECT index_next_shards AS next FROM workspaces WHERE org_id = ?1 AND id = ?2').bind(orgId, workspaceId).first<{ next: number }>()
    if (!placement) throw new MoveError('not_found', `No workspace "${workspaceId}".`)
    throw new MoveError('conflict', `Workspace "${workspaceId}" is already moving to ${placement.next} shards; run that move again to finish it.`)
  }
  const from: Layout = { shards: claimed.shards, generation: claimed.generation }
  const to: Layout = { shards: toShards, generation: claimed.generation + 1 }
  return { from, to, phase: 'chunks', cursor: START, fileAfter: '', chunks: 0, vectors: 0, files: 0, recopied: 0 }
}

/**
 * Steps 2 to 5 from where `progress` stands, a page at a time, until done or until `stop()` says the
 * step's time is up (checked after each page, so every step gets somewhere); then returns where it
 * stands, for the next step. Every
 * page is written by id, so a step that is run twice (a redelivered message) changes nothing.
 */
export async function continueMove(deps: MoveDeps, orgId: string, workspaceId: string, progress: MoveProgress, stop: () => boolean): Promise<MoveStep> {
  const p: MoveProgress = { ...progress }
  const at = { orgId, workspaceId, vectors: await vectorNamespace(orgId, workspaceId) }
  const from = layoutSide(deps, at, p.from)
  const to = layoutSide(deps, at, p.to)
  const paused = (): MoveStep => ({ done: false, progress: p })

  while (p.phase === 'chunks') {
    const page = await from.exportPage(p.cursor)
    const files = await fileRows(deps.d1, [...new Set(page.rows.map((r) => r.fileId))])
    // Rows of a file deleted meanwhile have no row to go with: left behind, as its deletion wants.
    if (files.length > 0) await to.importRows(files, page.rows)
    p.chunks += page.rows.length
    if (page.next) p.cursor = page.next
    else Object.assign(p, { phase: 'vectors', cursor: START })
    await breather()
    if (stop()) return paused()
  }
  while (p.phase === 'vectors') {
    const page = await from.exportVectors(p.cursor)
    // A vector whose file is gone meanwhile is left behind with it.
    const live = new Set((await fileRows(deps.d1, [...new Set(page.rows.map((r) => r.fileId))])).map((f) => f.id))
    await to.importVectors(page.rows.filter((r) => live.has(r.fileId)))
    p.vectors += page.rows.length
    if (page.next) p.cursor = page.next
    else Object.assign(p, { phase: 'check', cursor: START })
    await breather()
    if (stop()) return paused()
  }
  while (p.phase === 'check') {
    const listed = await workspaceFiles(deps.d1, orgId, workspaceId, p.fileAfter)
    if (!listed) {
      await switchLayout(deps.d1, orgId, workspaceId, p.from, p.to)
      p.phase = 'empty'
      break
    }
    const { rows } = listed
    const ids = rows.map((r) => r.id)
    const [was, is, wasVectors, isVectors] = await Promise.all([from.countsOf(ids), to.countsOf(ids), from.vectorCountsOf(ids), to.vectorCountsOf(ids)])
    const same = (a: Map<string, number>, b: Map<string, number>, id: string) => (a.get(id) ?? 0) === (b.get(id) ?? 0)
    for (const row of rows) {
      if (same(was, is, row.id) && same(wasVectors, isVectors, row.id)) continue
      await to.remove(row.id)
      await copyFile(from, to, row)
      p.recopied++
    }
    p.files += rows.length
    p.fileAfter = listed.last
    await breather()
    if (stop()) return paused()
  }
  if (!(await from.empty(stop))) return paused()
  return { done: true, report: { from: p.from, to: p.to, files: p.files, chunks: p.chunks, vectors: p.vectors, recopied: p.recopied } }
}

/** Step 4: one conditional D1 write moves the workspace to the next generation, if nothing else did. */
async function switchLayout(d1: D1Database, orgId: string, workspaceId: string, from: Layout, to: Layout): Promise<void> {
  const switched = await d1
    .prepare(
      `UPDATE workspaces SET index_shards = ?3, index_generation = ?4, index_next_shards = NULL
       WHERE org_id = ?1 AND id = ?2 AND index_generation = ?5 AND index_next_shards = ?3`,
    )
    .bind(orgId, workspaceId, to.shards, to.generation, from.generation)
    .run()
  if (switched.meta.changes !== 1) throw new MoveError('conflict', `Workspace "${workspaceId}" changed while its index moved; run the move again.`)
}

/** Where a copy stands: the shard (0 for D1) and the last rowid copied from it. */
type Cursor = { shard: number; rowid: number }
const START: Cursor = { shard: 0, rowid: 0 }

/**
 * Step 1: names the layout the workspace moves to, unless another move is running; the current layout
 * is returned, or null when another move holds the claim (or there is no such workspace).
 */
export async function claimMove(d1: D1Database, orgId: string, workspaceId: string, toShards: number): Promise<Layout | null> {
  return d1
    .prepare(
      `UPDATE workspaces SET index_next_shards = ?3 WHERE org_id = ?1 AND id = ?2 AND (index_next_shards IS NULL OR index_next_shards = ?3)
       RETURNING index_shards AS shards, index_generation AS generation`,
    )
    .bind(orgId, workspaceId, toShards)
    .first<Layout>()
}

/** One layout of a workspace as the move reads and writes it. */
type Side = {
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
type MoveAt = { orgId: string; workspaceId: string; vectors: string }

function layoutSide(deps: MoveDeps, at: MoveAt, layout: Layout): Side {
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
const breather = () => new Promise((resolve) => setTimeout(resolve, 10))

/** Copies one file's chunks and vectors page by page. */
async function copyFile(from: Side, to: Side, file: ShardFileRow): Promise<void> {
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

/**
 * The next of the workspace's files in id order after `after` (every status, since a file being
 * ingested has chunks too), and the last id listed; null after the last file.
 */
async function workspaceFiles(d1: D1Database, orgId: string, workspaceId: string, after: string): Promise<{ rows: ShardFileRow[]; last: string } | null> {
  const { results } = await d1
    .prepare('SELECT id FROM files WHERE org_id = ?1 AND workspace_id = ?2 AND id > ?3 ORDER BY id LIMIT ?4')
    .bind(orgId, workspaceId, after, FILES_PER_READ)
    .all<{ id: string }>()
  if (results.length === 0) return null
  // A file deleted since it was listed has no row: it is left out, and the listing goes on after it.
  return { rows: await fileRows(d1, results.map((r) => r.id)), last: results.at(-1)!.id }
}
