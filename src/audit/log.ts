/**
 * @module Appending to an org's audit log. An append is two steps, neither of which waits for any
 * other writer: the events are inserted, each numbered in the same statement that inserts it (the
 * next number of the org's log, so no two events ever share one), then the chain is **sealed**:
 * every event not yet sealed gets, in order, the hash of its columns and of the event before it.
 * Sealing is the same computation whoever runs it, and writes only where no hash is yet, so two
 * appenders sealing at once write the same values and never fork the chain; an appender that stops
 * between the steps leaves its events for the next append (or verification) to seal.
 */
import { eq } from 'drizzle-orm'
import { bindingOf, type Db } from '../db/client'
import { auditEvents, auditHeads } from '../db/schema'
import type { OrgUser, Principal } from '../tenancy/principal'
import { canonicalJson, eventHash, GENESIS_HASH } from './chain'

/** Who acted: a user, the deployment's admin token, or Cairn itself (`expiry`, `source:<id>`). */
export type AuditActor =
  | { kind: 'user'; userId: string; email?: string | null }
  | { kind: 'admin' }
  | { kind: 'system'; name: string }

/** A signed-in user as an actor. */
export const userActor = (user: OrgUser): AuditActor => ({ kind: 'user', userId: user.userId, email: user.email ?? null })

/** Whoever a principal is, as an actor. */
export const actorOf = (principal: Principal): AuditActor => (principal.kind === 'admin' ? { kind: 'admin' } : userActor(principal))

export const AUDIT_ACTIONS = [
  'user.created',
  'user.signed_in',
  'token.created',
  'token.revoked',
  'workspace.created',
  'workspace.deleted',
  'workspace.index_moved',
  'member.added',
  'member.access_changed',
  'member.removed',
  'file.uploaded',
  'file.deleted',
  'file.metadata_changed',
  'answer',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

export type AuditEvent = {
  actor: AuditActor
  action: AuditAction
  workspaceId?: string | null
  target?: string | null
  details?: Record<string, unknown>
}

export type AuditRow = typeof auditEvents.$inferSelect

function actorColumns(actor: AuditActor) {
  if (actor.kind === 'user') return { actorKind: 'user' as const, actorId: actor.userId, actorEmail: actor.email ?? null }
  if (actor.kind === 'admin') return { actorKind: 'admin' as const, actorId: '', actorEmail: null }
  return { actorKind: 'system' as const, actorId: actor.name, actorEmail: null }
}

/**
 * The next number of an org's log, inside the statement that inserts: one past the newest event's
 * and the head's (retention may have removed every event; an event removed from the end must leave
 * its number missing, not taken again). D1 runs one statement at a time, so two inserts can never
 * take the same number.
 */
const INSERT_EVENT = `INSERT INTO audit_events (org_id, seq, at_ms, actor_kind, actor_id, actor_email, action, workspace_id, target, details)
  VALUES (?1, MAX(COALESCE((SELECT MAX(seq) FROM audit_events WHERE org_id = ?1), 0), COALESCE((SELECT seq FROM audit_heads WHERE org_id = ?1), 0)) + 1,
    ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)`

/** Events one sealing pass takes; a longer backlog takes more passes. */
const SEAL_PAGE = 200

/**
 * The org's pending part of the chain: the last sealed event (whose hash the first pending one links
 * to) and the events not sealed yet, in order. Run in the same batch as an append's inserts, it sees them.
 */
const PENDING = `SELECT * FROM audit_events WHERE org_id = ?1
  AND seq >= (SELECT MIN(seq) FROM audit_events WHERE org_id = ?1 AND hash IS NULL) - 1
  ORDER BY seq LIMIT ${SEAL_PAGE + 1}`

type EventRecord = {
  org_id: string
  seq: number
  at_ms: number
  actor_kind: string
  actor_id: string
  actor_email: string | null
  action: string
  workspace_id: string | null
  target: string | null
  details: string
  prev_hash: string | null
  hash: string | null
}

/**
 * Appends `events` to `orgId`'s chain, in order, and seals them: one batch inserts them and reads
 * what is pending, a second writes the hashes (an appender racing it may write the same ones first;
 * then this one's writes change nothing).
 * @example await appendAudit(db, user.orgId, [{ actor: { kind: 'user', userId }, action: 'token.created', target: token.id }])
 */
export async function appendAudit(db: Db, orgId: string, events: readonly AuditEvent[], now = Date.now()): Promise<void> {
  if (events.length === 0) return
  const d1 = bindingOf(db)
  const inserts = events.map((event) => {
    const actor = actorColumns(event.actor)
    return d1
      .prepare(INSERT_EVENT)
      .bind(orgId, now, actor.actorKind, actor.actorId, actor.actorEmail, event.action, event.workspaceId ?? null, event.target ?? null, canonicalJson(event.details ?? {}))
  })
  // The batch is one transaction: the pending rows it reads end with ours.
  const results = await d1.batch<EventRecord>([...inserts, d1.prepare(PENDING).bind(orgId)])
  if (await seal(db, orgId, results.at(-1)!.results)) await sealChain(db, orgId)
}

/**
 * Seals every event of the org not sealed yet, oldest first: each gets `prev_hash` (the sealed event
 * before it's hash, or the chain's anchor) and its own `hash`; the head moves to the last one.
 */
export async function sealChain(db: Db, orgId: string): Promise<void> {
  const d1 = bindingOf(db)
  for (;;) {
    const { results } = await d1.prepare(PENDING).bind(orgId).all<EventRecord>()
    if (!(await seal(db, orgId, results))) return
  }
}

/** Rows per UPDATE: three bound values each, within D1's 100 per statement. */
const ROWS_PER_UPDATE = 30

/** Seals the pending rows read by `PENDING`; true when a full page was sealed and more may wait. */
async function seal(db: Db, orgId: string, rows: EventRecord[]): Promise<boolean> {
  const startsSealed = rows[0]?.hash !== null && rows[0]?.hash !== undefined
  const pending = startsSealed ? rows.slice(1) : rows
  if (pending.length === 0) return false
  const first = pending[0]!.seq
  let prevHash: string
  if (startsSealed && rows[0]!.seq === first - 1) prevHash = rows[0]!.hash!
  else {
    // No sealed event before it: the chain starts here, at the anchor retention left, or at the beginning.
    const head = await db.select({ anchorSeq: auditHeads.anchorSeq, anchorHash: auditHeads.anchorHash }).from(auditHeads).where(eq(auditHeads.orgId, orgId)).get()
    prevHash = head && head.anchorSeq === first - 1 ? head.anchorHash : GENESIS_HASH
  }
  const sealed: Array<{ seq: number; prevHash: string; hash: string }> = []
  for (const row of pending) {
    // Numbers are taken in order, but a gap would mean an event removed before it was sealed: stop there.
    if (row.seq !== first + sealed.length) break
    const hash = await eventHash({
      orgId: row.org_id,
      seq: row.seq,
      atMs: row.at_ms,
      actorKind: row.actor_kind,
      actorId: row.actor_id,
      actorEmail: row.actor_email,
      action: row.action,
      workspaceId: row.workspace_id,
      target: row.target,
      details: row.details,
      prevHash,
    })
    sealed.push({ seq: row.seq, prevHash, hash })
    prevHash = hash
  }
  const d1 = bindingOf(db)
  const statements: D1PreparedStatement[] = []
  for (let i = 0; i < sealed.length; i += ROWS_PER_UPDATE) {
    const part = sealed.slice(i, i + ROWS_PER_UPDATE)
    // One statement for many rows; `hash IS NULL` leaves a row another sealer got to first as it is (it wrote the same).
    const cases = part.map((s) => `WHEN ${s.seq} THEN ?`).join(' ')
    statements.push(
      d1
        .prepare(
          `UPDATE audit_events SET prev_hash = CASE seq ${cases} END, hash = CASE seq ${cases} END
           WHERE org_id = ? AND seq BETWEEN ${part[0]!.seq} AND ${part.at(-1)!.seq} AND hash IS NULL`,
        )
        .bind(...part.map((s) => s.prevHash), ...part.map((s) => s.hash), orgId),
    )
  }
  const last = sealed.at(-1)!
  statements.push(
    d1
      .prepare(
        `INSERT INTO audit_heads (org_id, seq, hash, anchor_seq, anchor_hash) VALUES (?1, ?2, ?3, 0, ?4)
         ON CONFLICT (org_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash WHERE excluded.seq > audit_heads.seq`,
      )
      .bind(orgId, last.seq, last.hash, GENESIS_HASH),
  )
  await d1.batch(statements)
  return rows.length > SEAL_PAGE && sealed.length === pending.length
}
