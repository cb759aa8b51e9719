/**
 * @module Recording usage where it happens: each write adds to the day's counters of one org, user
 * and workspace with an upsert (`x = x + excluded.x`), so concurrent writers never lose each other's counts.
 */
import { MEASURES, type Measures } from './measures'

/** Whom a spend is counted against. */
export type UsageOwner = { orgId: string; userId: string; workspaceId: string }

/** The UTC day of a moment, as the table keys it. */
export const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10)

const KEY = '(org_id, day, user_id, workspace_id)'
const counted = (n: number | undefined): n is number => typeof n === 'number' && Number.isFinite(n) && n > 0

/**
 * Adds `spent` to the owner's counters for the day of `at`. Never rejects: usage is bookkeeping, and
 * a failed write must not fail the answer or the ingestion it counts (it is logged instead).
 * @example await recordUsage(deps.d1, { orgId, userId, workspaceId }, { completions: 1, ...meterMeasures(meter) })
 */
export async function recordUsage(d1: D1Database, owner: UsageOwner, spent: Partial<Measures>, at = Date.now()): Promise<void> {
  const measures = MEASURES.filter((m) => counted(spent[m]))
  if (measures.length === 0) return
  const values = measures.map((_, i) => `?${i + 5}`).join(', ')
  const add = measures.map((m) => `${m} = ${m} + excluded.${m}`).join(', ')
  try {
    await d1
      .prepare(`INSERT INTO usage_daily (org_id, day, user_id, workspace_id, ${measures.join(', ')}) VALUES (?1, ?2, ?3, ?4, ${values}) ON CONFLICT ${KEY} DO UPDATE SET ${add}`)
      .bind(owner.orgId, utcDay(at), owner.userId, owner.workspaceId, ...measures.map((m) => spent[m]!))
      .run()
  } catch (err) {
    console.error('usage not recorded', owner, spent, err)
  }
}

/**
 * Counts a file as ingested — one file, its pages and its bytes, against its uploader and workspace —
 * if the statement just before it in the batch is the one that turned the file `processed`. That
 * statement moves a file only from `processing` (files/lifecycle.ts), so `changes() = 1` with the
 * file now `processed` happens once per file: a redelivered last part changes nothing and counts nothing.
 */
export function fileIngestedStatement(d1: D1Database, fileId: string, at = Date.now()): D1PreparedStatement {
  return d1
    .prepare(
      `INSERT INTO usage_daily (org_id, day, user_id, workspace_id, files_ingested, pages_ingested, bytes_ingested)
       SELECT org_id, ?2, user_id, workspace_id, 1, pages_done, bytes FROM files WHERE id = ?1 AND status = 'processed' AND changes() = 1
       ON CONFLICT ${KEY} DO UPDATE SET files_ingested = files_ingested + excluded.files_ingested,
         pages_ingested = pages_ingested + excluded.pages_ingested, bytes_ingested = bytes_ingested + excluded.bytes_ingested`,
    )
    .bind(fileId, utcDay(at))
}
