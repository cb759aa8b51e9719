/**
 * @module Appending to an org's audit log. An append is two steps, neither of which waits for any
 * other writer: the events are inserted, each numbered in the same statement that inserts it (the
 * next number of the org's log, so no two events ever share one), then the chain is **sealed**:
 * every event not yet sealed gets, in order, the hash of its columns and of the event before it.
 * Sealing is the same computation whoever runs it, and writes only where no hash is yet, so two
 * appenders sealing at once write the same values and never fork the chain; an appender that stops
 * between the steps leaves its events for the next append (or verification) to seal.
 */
import { and, asc, eq, isNull, sql } from 'drizzle-orm'
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

/**
 * Appends `events` to `orgId`'s chain, in order, and seals them.
 * @example await appendAudit(db, user.orgId, [{ actor: { kind: 'user', userId }, action: 'token.created', target: token.id }])
 */
export async function appendAudit(db: Db, orgId: string, events: readonly AuditEvent[], now = Date.now()): Promise<void> {
  if (events.length === 0) return
  const d1 = bindingOf(db)
  await d1.batch(
    events.map((event) => {
      const actor = actorColumns(event.actor)
      return d1
        .prepare(INSERT_EVENT)
        .bind(orgId, now, actor.actorKind, actor.actorId, actor.actorEmail, event.action, event.workspaceId ?? null, event.target ?? null, canonicalJson(event.details ?? {}))
    }),
  )
  await sealChain(db, orgId)
}

/** Events one sealing pass takes; a longer backlog takes more passes. */
const SEAL_PAGE = 200

/**
 * Seals every event of the org not sealed yet, oldest first: each gets `prev_hash` (the sealed event
 * before it's hash, or the chain's anchor) and its own `hash`; the head moves to the last one.
 */
export async function sealChain(db: Db, orgId: string): Promise<void> {
  for (;;) {
    const unsealed = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.orgId, orgId), isNull(auditEvents.hash)))
      .orderBy(asc(auditEvents.seq))
      .limit(SEAL_PAGE)
      .all()
    if (unsealed.length === 0) return
    const first = unsealed[0]!.seq
    // The event just before the first unsealed one is sealed (sealing goes in order); without it, the chain starts at the anchor.
    const before = await db.select({ hash: auditEvents.hash }).from(auditEvents).where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.seq, first - 1))).get()
    const head = before ? null : await db.select({ anchorSeq: auditHeads.anchorSeq, anchorHash: auditHeads.anchorHash }).from(auditHeads).where(eq(auditHeads.orgId, orgId)).get()
    let prevHash = before?.hash ?? (head && head.anchorSeq === first - 1 ? head.anchorHash : GENESIS_HASH)
    const sealed: Array<{ seq: number; prevHash: string; hash: string }> = []
    for (const row of unsealed) {
      // Numbers are taken in order, but a gap would mean an event removed before it was sealed: stop there.
      if (row.seq !== first + sealed.length) break
      const hash = await eventHash({ ...row, prevHash })
      sealed.push({ seq: row.seq, prevHash, hash })
      prevHash = hash
    }
    const last = sealed.at(-1)!
    const moveHead = db
      .insert(auditHeads)
      .values({ orgId, seq: last.seq, hash: last.hash, anchorSeq: 0, anchorHash: GENESIS_HASH })
      .onConflictDoUpdate({ target: auditHeads.orgId, set: { seq: sql`excluded.seq`, hash: sql`excluded.hash` }, setWhere: sql`excluded.seq > ${auditHeads.seq}` })
    const seal = sealed.map((s) =>
      db
        .update(auditEvents)
        .set({ prevHash: s.prevHash, hash: s.hash })
        .where(and(eq(auditEvents.orgId, orgId), eq(auditEvents.seq, s.seq), isNull(auditEvents.hash))),
    )
    await db.batch([moveHead, ...seal])
    if (unsealed.length < SEAL_PAGE || sealed.length < unsealed.length) return
  }
}
