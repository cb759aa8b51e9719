/**
 * @module What a sync has done so far, and where it resumes: each step adds its counts and saves its
 * cursor in one statement that only lands while the sync is still the source's current one.
 */
import { and, eq, sql } from 'drizzle-orm'
import { sources } from '../db/schema'
import type { Ports } from '../ports'
import type { Outcome } from './source-files'
import type { SourceRow } from './source-object'

export type SyncCounts = Record<Outcome | 'unchanged' | 'removed', number>
export const noCounts = (): SyncCounts => ({ added: 0, updated: 0, failed: 0, unchanged: 0, removed: 0 })

/** Saves a step's counts and where the sync resumes; false when the sync is no longer this one (restarted or disconnected). */
export async function saveProgress(deps: Pick<Ports, 'db'>, source: SourceRow, cursor: string | null, counts: SyncCounts): Promise<boolean> {
  const saved = await deps.db
    .update(sources)
    .set({
      syncCursor: cursor,
      syncProgressAt: Date.now(),
      added: sql`${sources.added} + ${counts.added}`,
      updated: sql`${sources.updated} + ${counts.updated}`,
      failed: sql`${sources.failed} + ${counts.failed}`,
      unchanged: sql`${sources.unchanged} + ${counts.unchanged}`,
      removed: sql`${sources.removed} + ${counts.removed}`,
    })
    .where(and(eq(sources.id, source.id), eq(sources.syncId, source.syncId!), eq(sources.status, 'syncing')))
    .returning({ id: sources.id })
    .get()
  return saved !== undefined
}

