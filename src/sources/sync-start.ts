/**
 * @module Starting a source's sync: one statement moves the source to `syncing` under a new sync id
 * (only if it is not syncing already, so two starts never run two syncs), then its first message is
 * queued. The sync's counters start from zero; its cursor from the top of the listing.
 */
import { and, eq, ne } from 'drizzle-orm'
import { newHexId } from '../db/ids'
import { sources } from '../db/schema'
import type { SyncSourceJob } from '../ingest/jobs'
import type { Ports } from '../ports'
import type { SourceRow } from './source-object'

/** Starts a sync of `source`; null when one is already running. */
export async function startSync(deps: Pick<Ports, 'db' | 'ingestQueue'>, source: Pick<SourceRow, 'id'>): Promise<SourceRow | null> {
  const now = Date.now()
  const syncId = newHexId('sync', 8)
  const started = await deps.db
    .update(sources)
    .set({ status: 'syncing', statusDetails: null, syncId, syncCursor: null, syncStartedAt: now, syncProgressAt: now, added: 0, updated: 0, removed: 0, failed: 0, unchanged: 0 })
    .where(and(eq(sources.id, source.id), ne(sources.status, 'syncing')))
    .returning()
    .get()
  if (!started) return null
  await deps.ingestQueue.send({ kind: 'sync-source', sourceId: started.id, syncId } satisfies SyncSourceJob)
  return started
}
