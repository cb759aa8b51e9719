/**
 * @module A big PDF's fan-out: one queue message per page range, sent for the parts not finished yet.
 * Planning sends them all; the ingest sweep sends again those that a lost message or a stopped
 * runtime left without a `file_parts` row, with the ranges recomputed as planning computed them.
 */
import type { Config } from '../config'
import type { Ports } from '../ports'
import type { IngestJob } from './jobs'
import { DEFAULT_LIMITS } from './limits'
import type { PageRange } from './parsers/pdf'

type FileRef = { id: string; orgId: string; workspaceId: string }

/** Pages per message as planning reads them from config, so the sweep finds the same ranges. */
export function pagesPerMessage(config: Pick<Config, 'pagesPerMessage'>): number {
  return config.pagesPerMessage ?? DEFAULT_LIMITS.maxPagesPerMessage
}

/** Queues a message for each range whose part has no `file_parts` row; returns how many. */
export async function queueUnfinishedParts(deps: Pick<Ports, 'd1' | 'ingestQueue'>, file: FileRef, ranges: readonly PageRange[]): Promise<number> {
  const { results } = await deps.d1.prepare('SELECT part FROM file_parts WHERE file_id = ?1').bind(file.id).all<{ part: number }>()
  const finished = new Set(results.map((r) => r.part))
  const jobs = ranges.flatMap((pages, part) =>
    finished.has(part) ? [] : [{ body: { fileId: file.id, orgId: file.orgId, workspaceId: file.workspaceId, part, pages } satisfies IngestJob }],
  )
  // sendBatch takes at most 100 messages.
  for (let i = 0; i < jobs.length; i += 100) await deps.ingestQueue.sendBatch(jobs.slice(i, i + 100))
  return jobs.length
}
