/**
 * @module Every write to a file row's status and ingestion state, each a move of the state machine
 * in `file-status.ts`. Each move is one conditional statement guarded by the statuses it may start
 * from, so two writers racing (parts finishing together, cron and alarm sweeping together, a
 * delete meanwhile) cannot both win: the loser's UPDATE matches no row and is a no-op.
 */
import { eq, inArray } from 'drizzle-orm'
import type { Db } from '../db/client'
import { files } from '../db/schema'
import { finishNoteSql, type PartPerception } from '../ingest/perception/part-note'
import { allowedFrom, FILE_TRANSITIONS } from './file-status'
import type { FileRow } from './file-object'

/** The moment a file last showed life: progress, else its upload; or the sweep queuing it again. */
export const LAST_SIGN_OF_LIFE = 'max(coalesce(progress_at, created_at_ms), coalesce(recovered_at, 0))'

/**
 * Creates the rows of one upload, all `uploaded`, in one batch (one transaction). D1 allows 100
 * bound parameters per statement, so it is one insert per file.
 */
export async function insertUploaded(db: Db, rows: FileRow[]): Promise<void> {
  const wrong = rows.find((row) => row.status !== 'uploaded')
  if (wrong) throw new Error(`a new file starts uploaded, not ${wrong.status} (${wrong.id})`)
  await db.batch(rows.map((row) => db.insert(files).values(row)) as [any, ...any[]])
}

/** Takes back the rows of an upload whose ingest messages could not be sent, so none waits for a message that never comes. */
export async function withdrawUploads(db: Db, ids: string[]): Promise<void> {
  await db.batch(ids.map((id) => db.delete(files).where(eq(files.id, id))) as [any, ...any[]])
}

/** `start`: uploaded | processing → processing, stamping its progress clock. False when the file has ended or is gone. */
export async function markProcessing(d1: D1Database, fileId: string, now = Date.now()): Promise<boolean> {
  const result = await d1
    .prepare(`UPDATE files SET status = '${FILE_TRANSITIONS.start.to}', progress_at = ?2 WHERE id = ?1 AND ${allowedFrom('start')}`)
    .bind(fileId, now)
    .run()
  return result.meta.changes === 1
}

/** How planning cut the file: parts (messages), pages (PDFs) and the vision page budget. */
export type FilePlan = { parts: number; pages: number | null; pageBudget: number | null }

/** Records the plan. Unguarded, as planning always was: on a file that ended meanwhile nothing reads these numbers. */
export async function recordPlan(d1: D1Database, fileId: string, plan: FilePlan): Promise<void> {
  await d1.prepare('UPDATE files SET parts_total = ?2, pages_total = ?3, page_budget = ?4 WHERE id = ?1').bind(fileId, plan.parts, plan.pages, plan.pageBudget).run()
}

/** `heartbeat`: stamps the file as alive, unless it has already ended (or was deleted). */
export async function touchProgress(d1: D1Database, fileId: string, now = Date.now()): Promise<void> {
  await d1.prepare(`UPDATE files SET progress_at = ?2 WHERE id = ?1 AND ${allowedFrom('heartbeat')}`).bind(fileId, now).run()
}

/** What a stored part tells the file: whether it is a document, and what perception did in it. */
export type StoredPart = { document: boolean; perception: PartPerception | null; now?: number }

/**
 * `store-part`, or `complete` for the part that finishes the file: processing → processing | processed.
 * A statement, not a call: it must run in the batch that writes the part's chunks and its
 * `file_parts` row, after them, so the counts it sums include this part and two parts finishing
 * together cannot both miss completing the file. The counters are recomputed from the parts, never
 * incremented, so a redelivered part counts once. Completing joins every part's note into
 * `status_details` (`finishNoteSql`). A stored part is progress: it stamps the clock and clears `recoveries`.
 */
export function storePartStatement(d1: D1Database, fileId: string, part: StoredPart): D1PreparedStatement {
  const p = part.perception
  const allPartsIn = '(SELECT count(*) FROM file_parts WHERE file_id = ?1) >= parts_total'
  return d1
    .prepare(
      `UPDATE files SET
           pages_done = (SELECT coalesce(sum(pages), 0) FROM file_parts WHERE file_id = ?1),
           chunk_count = (SELECT coalesce(sum(chunks), 0) FROM file_parts WHERE file_id = ?1),
           pages_rendered = (SELECT coalesce(sum(pages_rendered), 0) FROM file_parts WHERE file_id = ?1),
           pages_seen = (SELECT coalesce(sum(pages_seen), 0) FROM file_parts WHERE file_id = ?1),
           pages_skipped = (SELECT coalesce(sum(pages_skipped), 0) FROM file_parts WHERE file_id = ?1),
           status_details = CASE WHEN ${allPartsIn} THEN ${finishNoteSql('?1', '?2', '?3', '?4')} ELSE status_details END,
           status = CASE WHEN ${allPartsIn} THEN '${FILE_TRANSITIONS.complete.to}' ELSE status END,
           progress_at = ?5,
           recoveries = 0
         WHERE id = ?1 AND ${allowedFrom('store-part')}`,
    )
    .bind(fileId, part.document ? 1 : 0, p ? (p.visionConfigured ? 1 : 0) : null, p?.budget ?? null, part.now ?? Date.now())
}

/**
 * `fail`: ends a file in `error` with a sentence for the person who uploaded it. A file already in
 * `error` keeps its first sentence. `alongside` (removing what its parts wrote) runs in the same
 * batch, so no reader ever sees a failed file with chunks.
 */
export async function markFailed(d1: D1Database, fileId: string, reason: string, alongside: D1PreparedStatement[] = []): Promise<void> {
  await d1.batch([
    d1.prepare(`UPDATE files SET status = '${FILE_TRANSITIONS.fail.to}', status_details = ?2 WHERE id = ?1 AND ${allowedFrom('fail')}`).bind(fileId, reason),
    ...alongside,
  ])
}

/** What the sweep knows of a stalled file when it claims it. */
export type StallClaim = {
  now: number
  /** Whether a message started on the file since it was last queued again: then this is a recovery. */
  attempted: boolean
  /** The file counts as stalled when its last sign of life is older than this. */
  cutoff: number
}

/**
 * `requeue`: claims a stalled file for the sweep (its status stays), counting a recovery when a
 * message had started on it. Conditional, so a part finishing meanwhile, or a second sweep (cron and
 * alarm), wins; false then, and the caller leaves the file alone.
 */
export async function claimStalled(d1: D1Database, fileId: string, claim: StallClaim): Promise<boolean> {
  const result = await d1
    .prepare(`UPDATE files SET recovered_at = ?2, recoveries = recoveries + ?3 WHERE id = ?1 AND ${allowedFrom('requeue')} AND ${LAST_SIGN_OF_LIFE} < ?4`)
    .bind(fileId, claim.now, claim.attempted ? 1 : 0, claim.cutoff)
    .run()
  return result.meta.changes === 1
}

/** What one message's perception spent: vision and speech tokens, seconds of audio. */
export type PerceptionSpend = { promptTokens: number; completionTokens: number; audioSeconds: number }

/**
 * Adds a message's perception spend to the file, in any status: failed calls were spent too. One
 * UPDATE adding to the columns, so parts finishing together never lose each other's.
 */
export async function addPerceptionSpend(d1: D1Database, fileId: string, spend: PerceptionSpend): Promise<void> {
  await d1
    .prepare(
      `UPDATE files SET perception_prompt_tokens = perception_prompt_tokens + ?2,
         perception_completion_tokens = perception_completion_tokens + ?3,
         perception_audio_seconds = perception_audio_seconds + ?4
       WHERE id = ?1`,
    )
    .bind(fileId, spend.promptTokens, spend.completionTokens, spend.audioSeconds)
    .run()
}

/** Removes file rows, for deletion: in the caller's batch, with everything derived from them. */
export function deleteRowsStatement(db: Db, ids: string[]) {
  return db.delete(files).where(inArray(files.id, ids))
}
