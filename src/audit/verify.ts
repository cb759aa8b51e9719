/**
 * @module Checking an org's audit chain: every event's hash is recomputed from its columns, every
 * link to the previous event's hash and every number checked, from the oldest kept event (linked to
 * the retention anchor) to the head. The first broken link is reported with what is wrong there.
 */
import { and, asc, eq, gt } from 'drizzle-orm'
import type { Db } from '../db/client'
import { auditEvents, auditHeads } from '../db/schema'
import { eventHash, GENESIS_HASH } from './chain'
import { sealChain } from './log'

export type ChainBreak = { seq: number; reason: string }

export type ChainReport = {
  ok: boolean
  eventsChecked: number
  firstSeq: number | null
  lastSeq: number | null
  /** The first broken link, or null when the chain holds. */
  broken: ChainBreak | null
}

const PAGE = 500

export async function verifyChain(db: Db, orgId: string): Promise<ChainReport> {
  // An event inserted but not sealed yet has no hash to check: seal what is pending first.
  await sealChain(db, orgId)
  const head = await db.select().from(auditHeads).where(eq(auditHeads.orgId, orgId)).get()
  let expectedSeq = (head?.anchorSeq ?? 0) + 1
  let expectedPrev = head?.anchorHash ?? GENESIS_HASH
  let checked = 0
  let firstSeq: number | null = null
  let lastSeq: number | null = null
  const report = (broken: ChainBreak | null): ChainReport => ({ ok: broken === null, eventsChecked: checked, firstSeq, lastSeq, broken })

  for (let after = head?.anchorSeq ?? 0; ; ) {
    const rows = await db.select().from(auditEvents).where(and(eq(auditEvents.orgId, orgId), gt(auditEvents.seq, after))).orderBy(asc(auditEvents.seq)).limit(PAGE).all()
    for (const row of rows) {
      if (row.seq !== expectedSeq) return report({ seq: expectedSeq, reason: `event ${expectedSeq} is missing (the next one kept is ${row.seq})` })
      if (row.prevHash !== expectedPrev) return report({ seq: row.seq, reason: `event ${row.seq} does not link to the event before it (its prev_hash differs)` })
      const { hash, ...columns } = row
      if (hash === null || (await eventHash({ ...columns, prevHash: expectedPrev })) !== hash) return report({ seq: row.seq, reason: `event ${row.seq} was changed after it was written (its hash does not match its contents)` })
      firstSeq ??= row.seq
      lastSeq = row.seq
      checked += 1
      expectedSeq = row.seq + 1
      expectedPrev = hash
    }
    if (rows.length < PAGE) break
    after = rows.at(-1)!.seq
  }
  if (!head) return report(checked === 0 ? null : { seq: firstSeq ?? 1, reason: 'the log has events but no head: its head row was removed' })
  if (head.seq !== expectedSeq - 1) {
    return report({ seq: expectedSeq, reason: `the log ends at event ${expectedSeq - 1}, but the chain's head is event ${head.seq}: later events were removed` })
  }
  if (head.hash !== expectedPrev) return report({ seq: head.seq, reason: `event ${head.seq} differs from the one the chain's head recorded` })
  return report(null)
}
