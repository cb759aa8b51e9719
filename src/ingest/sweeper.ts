/**
 * @module The ingest sweep: a file still `uploaded` or `processing` whose progress clock stopped
 * (`progress_at`, see progress.ts) has stalled — its message was lost (a local runtime that stops
 * takes its in-memory queue with it) or the runtime died under it — so its unfinished work is queued
 * again: a fanned-out PDF's parts without a `file_parts` row, else the file's planning message. Run by
 * the `IngestWatch` alarm, and deployed by the cron trigger too. Re-queuing is safe: finished parts
 * are skipped and every write is idempotent. A file that stalls again after a message worked on it
 * counts a recovery; at the fourth such stall without a part finished it fails, so a file that kills
 * the runtime every time cannot loop forever.
 */
import type { Ports } from '../ports'
import { allowedFrom } from '../files/file-status'
import { claimStalled, LAST_SIGN_OF_LIFE } from '../files/lifecycle'
import { removeIndexed } from './chunk-store'
import { failFile } from './fail-file'
import { pagesPerMessage, queueUnfinishedParts } from './fan-out'
import type { IngestJob } from './jobs'
import { planPageRanges } from './parsers/pdf'

export type SweepDeps = Pick<Ports, 'd1' | 'index' | 'ingestQueue' | 'vectors' | 'config'>

/** Recoveries without a part finished that a file is allowed; the next stall fails it. */
export const MAX_RECOVERIES = 3

export const GAVE_UP_REASON =
  'Cairn stopped while indexing this file three times; it may be too large or complex to index. Upload it again, or split it.'

/** Files handled per sweep at most; the rest wait for the next one. */
const PER_SWEEP = 100

/** What a sweep did: files queued again, messages sent for them, files failed. */
export type SweepReport = { requeued: number; messages: number; failed: number }

type StalledFile = {
  id: string
  org_id: string
  workspace_id: string
  status: 'uploaded' | 'processing'
  pages_total: number | null
  parts_total: number | null
  recoveries: number
  /** 1 when a message started on the file since it was last queued again: that attempt stopped. */
  attempted: number
}

/** A file ingestion still owes work: the statuses the sweep may claim it from. */
const IN_FLIGHT = allowedFrom('requeue')

/** Whether any file is still waiting for, or in the middle of, ingestion. */
export async function ingestionInFlight(d1: D1Database): Promise<boolean> {
  return (await d1.prepare(`SELECT 1 FROM files WHERE ${IN_FLIGHT} LIMIT 1`).first()) !== null
}

/** Queues the unfinished work of every stalled file again, or fails those past `MAX_RECOVERIES`. */
export async function sweepStalledFiles(deps: SweepDeps, now = Date.now()): Promise<SweepReport> {
  const cutoff = now - deps.config.ingestStallMs
  const { results } = await deps.d1
    .prepare(
      `SELECT id, org_id, workspace_id, status, pages_total, parts_total, recoveries,
         coalesce(progress_at, 0) > coalesce(recovered_at, 0) AS attempted
       FROM files WHERE ${IN_FLIGHT} AND ${LAST_SIGN_OF_LIFE} < ?1 ORDER BY created_at_ms LIMIT ?2`,
    )
    .bind(cutoff, PER_SWEEP)
    .all<StalledFile>()
  const report: SweepReport = { requeued: 0, messages: 0, failed: 0 }
  for (const file of results) {
    // The claim is conditional, so a part finishing meanwhile, or a second sweep (cron and alarm), wins.
    if (!(await claimStalled(deps.d1, file.id, { now, attempted: Boolean(file.attempted), cutoff }))) continue
    if (file.attempted && file.recoveries >= MAX_RECOVERIES) {
      await failFile(deps, file.id, GAVE_UP_REASON)
      report.failed += 1
      continue
    }
    report.requeued += 1
    report.messages += await requeue(deps, file)
  }
  if (results.length > 0) console.warn(`ingest sweep: ${report.requeued} stalled file(s) queued again (${report.messages} messages), ${report.failed} failed`)
  return report
}

/** Sends the stalled file's missing work; returns how many messages. */
async function requeue(deps: SweepDeps, file: StalledFile): Promise<number> {
  const ref = { id: file.id, orgId: file.org_id, workspaceId: file.workspace_id }
  if (file.status === 'processing' && file.pages_total !== null && file.parts_total !== null && file.parts_total > 1) {
    const ranges = planPageRanges(file.pages_total, pagesPerMessage(deps.config))
    if (ranges.length === file.parts_total) {
      const sent = await queueUnfinishedParts(deps, ref, ranges)
      if (sent > 0) return sent
    } else {
      // Pages per message changed since planning, so the finished parts' ranges are unknown: start over.
      await removeIndexed(deps, ref)
    }
  }
  await deps.ingestQueue.send({ fileId: file.id, orgId: file.org_id, workspaceId: file.workspace_id } satisfies IngestJob)
  return 1
}
