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
import { vectorNamespace } from '../vector-store'
import { breather, copyFile, layoutSide, START, type Cursor, type MoveDeps } from './layout-sides'
import type { Layout } from './placement'
import { fileRows } from './sharded-index'
import type { ShardFileRow } from './shard-schema'

export type { MoveDeps } from './layout-sides'

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
  const placement = await deps.d1
    .prepare('SELECT index_shards AS shards, index_next_shards AS next FROM workspaces WHERE org_id = ?1 AND id = ?2')
    .bind(orgId, workspaceId)
    .first<{ shards: number; next: number | null }>()
  if (!placement) throw new MoveError('not_found', `No workspace "${workspaceId}".`)
  // D1 to D1 would copy the rows onto themselves and then empty them: a move always goes somewhere else.
  if (placement.next === null && placement.shards === toShards) throw new MoveError('conflict', `Workspace "${workspaceId}"'s index is already there (${toShards} shards).`)
  if (toShards === 0 && placement.next === null && (await leftInD1(deps.d1, orgId, workspaceId))) throw new MoveError('conflict', STILL_EMPTYING(workspaceId))
  const claimed = await claimMove(deps.d1, orgId, workspaceId, toShards)
  if (!claimed) throw new MoveError('conflict', `Workspace "${workspaceId}" is already moving to ${placement.next} shards; run that move again to finish it.`)
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

/**
 * Whether D1's tables still hold rows of a workspace whose index has left them: the last step of its
 * move empties them in slices, on messages of its own. A move back into D1 waits for that, or the
 * emptying would delete what the new move copies in (shards never meet this: each generation has
 * shards of its own names).
 */
export async function leftInD1(d1: D1Database, orgId: string, workspaceId: string): Promise<boolean> {
  const [chunk, vector] = await d1.batch([
    d1.prepare('SELECT 1 AS held FROM chunks WHERE org_id = ?1 AND workspace_id = ?2 LIMIT 1').bind(orgId, workspaceId),
    d1.prepare('SELECT 1 AS held FROM vectors WHERE namespace = ?1 LIMIT 1').bind(await vectorNamespace(orgId, workspaceId)),
  ])
  return (chunk?.results.length ?? 0) > 0 || (vector?.results.length ?? 0) > 0
}

export const STILL_EMPTYING = (workspaceId: string) =>
  `D1's tables are still being emptied of workspace "${workspaceId}"'s earlier index; ask again once that is done (a minute or so for a large workspace).`

/** The message that (again) empties D1's tables of a workspace whose index now lives in `layout`. */
export function emptyD1Progress(layout: Layout): MoveProgress {
  return { from: { shards: 0, generation: -1 }, to: layout, phase: 'empty', cursor: START, fileAfter: '', chunks: 0, vectors: 0, files: 0, recopied: 0 }
}

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
