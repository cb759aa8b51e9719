/**
 * @module Audit retention: events older than the configured days are removed from the start of
 * each org's chain, and the chain's anchor moves to the last one removed, so what is kept still
 * verifies from its first event. Run by the ingest Worker's cron.
 */
import { and, eq, lt, lte, max } from 'drizzle-orm'
import type { Db } from '../db/client'
import { auditEvents, auditHeads } from '../db/schema'
import { sealChain } from './log'

const DAY_MS = 24 * 60 * 60 * 1000
/** Events removed per org per sweep, so one sweep stays within a cron's limits. */
const PER_SWEEP = 5000

/** Removes events older than `retentionDays` (null keeps everything); returns how many. */
export async function pruneAuditLog(db: Db, retentionDays: number | null, now = Date.now()): Promise<number> {
  if (retentionDays === null) return 0
  const cutoff = now - retentionDays * DAY_MS
  // Per org, the newest event older than the cutoff: everything up to it goes.
  const due = await db
    .select({ orgId: auditEvents.orgId, through: max(auditEvents.seq) })
    .from(auditEvents)
    .where(lt(auditEvents.atMs, cutoff))
    .groupBy(auditEvents.orgId)
    .all()
  let removed = 0
  for (const { orgId, through } of due) {
    if (through === null) continue
    // Only sealed events can anchor the chain.
    await sealChain(db, orgId)
    const head = await db.select().from(auditHeads).where(eq(auditHeads.orgId, orgId)).get()
    if (!head) continue
    const last = Math.min(through, head.anchorSeq + PER_SWEEP)
    const anchor = await db.select({ hash: auditEvents.hash }).from(auditEvents).where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.seq, last))).get()
    if (!anchor?.hash) continue
    const [, deleted] = await db.batch([
      db.update(auditHeads).set({ anchorSeq: last, anchorHash: anchor.hash }).where(eq(auditHeads.orgId, orgId)),
      db.delete(auditEvents).where(and(eq(auditEvents.orgId, orgId), lte(auditEvents.seq, last))).returning({ seq: auditEvents.seq }),
    ])
    removed += deleted.length
  }
  return removed
}
