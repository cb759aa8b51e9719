/**
 * @module The ingest sweeper, run by the ingest Worker's cron trigger: a file still `uploaded` long
 * after its upload means its queue message never arrived (the send failed after the row was written,
 * or the message was lost), so it is queued again. Re-queuing is safe: the pipeline ignores a message
 * for a file that has moved on, and every write it makes is idempotent.
 */
import type { Deps } from '../deps'
import type { IngestJob } from './jobs'

/** How long a file may wait for its first message before the sweeper queues it again. */
export const STALLED_AFTER_MS = 10 * 60 * 1000

/** Files re-queued per sweep at most (one queue batch). */
const PER_SWEEP = 100

/** Queues stalled files again; returns how many. */
export async function sweepStalledUploads(deps: Pick<Deps, 'd1' | 'ingestQueue'>, now = Date.now()): Promise<number> {
  const { results } = await deps.d1
    .prepare("SELECT id, org_id, workspace_id FROM files WHERE status = 'uploaded' AND created_at_ms < ? ORDER BY created_at_ms LIMIT ?")
    .bind(now - STALLED_AFTER_MS, PER_SWEEP)
    .all<{ id: string; org_id: string; workspace_id: string }>()
  if (results.length === 0) return 0
  await deps.ingestQueue.sendBatch(results.map((f) => ({ body: { fileId: f.id, orgId: f.org_id, workspaceId: f.workspace_id } satisfies IngestJob })))
  console.warn(`re-queued ${results.length} file(s) whose ingest message never arrived`)
  return results.length
}
