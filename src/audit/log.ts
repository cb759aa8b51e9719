/**
 * @module Appending to an org's audit log. Events are numbered and hash-chained per org; an append
 * reads the chain's head, and writes the events and the new head in one D1 transaction. Two appends
 * racing for the same number cannot both commit (the number is the key), so the loser reads the new
 * head and tries again: the chain never forks.
 */
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db/client'
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

const ATTEMPTS = 8

function actorColumns(actor: AuditActor) {
  if (actor.kind === 'user') return { actorKind: 'user' as const, actorId: actor.userId, actorEmail: actor.email ?? null }
  if (actor.kind === 'admin') return { actorKind: 'admin' as const, actorId: '', actorEmail: null }
  return { actorKind: 'system' as const, actorId: actor.name, actorEmail: null }
}

const isKeyConflict = (err: unknown) => /UNIQUE constraint failed|PRIMARY KEY/i.test(String((err as Error)?.message ?? err))

type Head = { seq: number; hash: string }

type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void; reject: (reason: unknown) => void }

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void
  let reject!: (reason: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject }
}

/** An append waiting in its isolate's queue: its events, and how it learns it was written, or must write. */
type Waiting = {
  events: readonly AuditEvent[]
  atMs: number
  written: Deferred<AuditRow[]>
  lead: Deferred<void>
}

type Chain = { head: Head | null; queue: Waiting[]; busy: boolean }

/** Events one transaction writes at most; the rest wait for the next. */
const GROUP_EVENTS = 200

/**
 * Per database and org, what this isolate last wrote and the appends waiting. One append at a time
 * leads: it writes every append queued so far in one transaction, starting from the head it knows,
 * then hands the lead to the next one queued. So appends from one isolate neither read the head nor
 * collide, and under load many share a transaction; each leader does only its own request's I/O.
 * An append from elsewhere (another isolate, the completion object) shows up as a key conflict,
 * after which the head is read again.
 */
const chains = new WeakMap<object, Map<string, Chain>>()

function chainOf(db: Db, orgId: string): Chain {
  // Keyed by the D1 binding under the Drizzle client: two clients over one database share the chain.
  const database = (db as unknown as { $client?: object }).$client ?? db
  let byOrg = chains.get(database)
  if (!byOrg) chains.set(database, (byOrg = new Map()))
  let chain = byOrg.get(orgId)
  if (!chain) byOrg.set(orgId, (chain = { head: null, queue: [], busy: false }))
  return chain
}

const LEAD = Symbol('lead')

/**
 * Appends `events` to `orgId`'s chain, in order, and returns them as stored.
 * @example await appendAudit(db, user.orgId, [{ actor: { kind: 'user', userId }, action: 'token.created', target: token.id }])
 */
export async function appendAudit(db: Db, orgId: string, events: readonly AuditEvent[], now = Date.now()): Promise<AuditRow[]> {
  if (events.length === 0) return []
  const chain = chainOf(db, orgId)
  const me: Waiting = { events, atMs: now, written: deferred(), lead: deferred() }
  chain.queue.push(me)
  if (!chain.busy) {
    chain.busy = true
    me.lead.resolve()
  }
  const first = await Promise.race([me.written.promise, me.lead.promise.then((): typeof LEAD => LEAD)])
  if (first !== LEAD) return first
  const group: Waiting[] = []
  for (let n = 0; chain.queue.length > 0 && (group.length === 0 || n + chain.queue[0]!.events.length <= GROUP_EVENTS); ) {
    const next = chain.queue.shift()!
    n += next.events.length
    group.push(next)
  }
  try {
    const rows = await writeEvents(db, orgId, group, chain)
    let at = 0
    for (const w of group) {
      w.written.resolve(rows.slice(at, at + w.events.length))
      at += w.events.length
    }
  } catch (err) {
    for (const w of group) w.written.reject(err)
  } finally {
    const next = chain.queue[0]
    if (next) next.lead.resolve()
    else chain.busy = false
  }
  return me.written.promise
}

async function writeEvents(db: Db, orgId: string, group: readonly Waiting[], chain: Chain): Promise<AuditRow[]> {
  for (let attempt = 1; ; attempt++) {
    const head = chain.head ?? (await db.select({ seq: auditHeads.seq, hash: auditHeads.hash }).from(auditHeads).where(eq(auditHeads.orgId, orgId)).get()) ?? null
    let seq = head?.seq ?? 0
    let prevHash = head?.hash ?? GENESIS_HASH
    const rows: AuditRow[] = []
    for (const { events, atMs } of group) {
      for (const event of events) {
        seq += 1
        const columns = {
          orgId,
          seq,
          atMs,
          ...actorColumns(event.actor),
          action: event.action,
          workspaceId: event.workspaceId ?? null,
          target: event.target ?? null,
          details: canonicalJson(event.details ?? {}),
          prevHash,
        }
        prevHash = await eventHash(columns)
        rows.push({ ...columns, hash: prevHash })
      }
    }
    // D1 binds at most 100 parameters a statement; an event has 12 columns.
    const inserts = []
    for (let i = 0; i < rows.length; i += 8) inserts.push(db.insert(auditEvents).values(rows.slice(i, i + 8)))
    const last = rows.at(-1)!
    const writeHead = db
      .insert(auditHeads)
      .values({ orgId, seq: last.seq, hash: last.hash, anchorSeq: 0, anchorHash: GENESIS_HASH })
      .onConflictDoUpdate({ target: auditHeads.orgId, set: { seq: sql`excluded.seq`, hash: sql`excluded.hash` } })
    try {
      await db.batch([writeHead, ...inserts] as [typeof writeHead, ...(typeof inserts)[number][]])
      chain.head = { seq: last.seq, hash: last.hash }
      return rows
    } catch (err) {
      // Whatever happened, the head is read again: another writer may have moved it.
      chain.head = null
      if (!isKeyConflict(err) || attempt >= ATTEMPTS) throw err
      // Another append took these numbers: back off a little, at random, and chain onto it.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt))
    }
  }
}
