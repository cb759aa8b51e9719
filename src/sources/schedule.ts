/**
 * @module When sources sync without being asked: a source whose next sync is due is started, and a sync
 * with no sign of life for the stall time (its message lost with a stopped runtime) is handed a new
 * message, which resumes where its last saved page left it. The ingest Worker's cron and the ingest
 * watch's alarm run this; the watch wakes again for the earliest scheduled sync.
 */
import { and, eq, isNotNull, lte, min, ne, lt } from 'drizzle-orm'
import { sources } from '../db/schema'
import type { SyncSourceJob } from '../ingest/jobs'
import type { Ports } from '../ports'
import { startSync } from './sync-start'

export type SourceSweep = { started: number; resumed: number }

export async function sweepSources(deps: Pick<Ports, 'db' | 'ingestQueue' | 'config'>, now = Date.now()): Promise<SourceSweep> {
  const due = await deps.db
    .select({ id: sources.id })
    .from(sources)
    .where(and(isNotNull(sources.nextSyncAt), lte(sources.nextSyncAt, now), ne(sources.status, 'syncing')))
    .limit(50)
    .all()
  let started = 0
  for (const source of due) if (await startSync(deps, source)) started++
  const stalled = await deps.db
    .update(sources)
    .set({ syncProgressAt: now })
    .where(and(eq(sources.status, 'syncing'), lt(sources.syncProgressAt, now - deps.config.ingestStallMs)))
    .returning({ id: sources.id, syncId: sources.syncId })
    .all()
  for (const s of stalled) await deps.ingestQueue.send({ kind: 'sync-source', sourceId: s.id, syncId: s.syncId! } satisfies SyncSourceJob)
  return { started, resumed: stalled.length }
}

/** When the watch should next look at sources: soon while one syncs, else at the earliest scheduled sync; null when none is. */
export async function nextSourceWake(deps: Pick<Ports, 'db'>, now: number, interval: number): Promise<number | null> {
  const syncing = await deps.db.select({ id: sources.id }).from(sources).where(eq(sources.status, 'syncing')).limit(1).get()
  if (syncing) return now + interval
  const next = await deps.db.select({ at: min(sources.nextSyncAt) }).from(sources).get()
  return next?.at == null ? null : Math.max(now + interval, next.at)
}
