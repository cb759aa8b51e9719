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

type Chain = { head: Head | null; turn: Promise<void> }

/**
 * How long an append waits for the one before it in its isolate. Longer means that append's request
 * was cut off mid-write; this one goes ahead, and at worst meets a key conflict and reads the head.
 */
const TURN_WAIT_MS = 5_000

/**
 * Per database and org, what this isolate last wrote, and the turn of the append in flight. Appends
 * from one isolate take turns, each starting from the head the previous one wrote, so they neither
 * read the head nor collide. Each waits on a promise the one before it made and settles itself (a
 * promise made in another request and settled from this one would not be safe in Workers).
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
  if (!chain) byOrg.set(orgId, (chain = { head: null, turn: Promise.resolve() }))
  return chain
}

/**
 * Appends `events` to `orgId`'s chain, in order, and returns them as stored.
 * @example await appendAudit(db, user.orgId, [{ actor: { kind: 'user', userId }, action: 'token.created', target: token.id }])
 */
export async function appendAudit(db: Db, orgId: string, events: readonly AuditEvent[], now = Date.now()): Promise<AuditRow[]> {
  if (events.length === 0) return []
  const chain = chainOf(db, orgId)
  const previous = chain.turn
  let done!: () => void
  chain.turn = new Promise<void>((resolve) => (done = resolve))
  let timer: ReturnType<typeof setTimeout> | undefined
  await Promise.race([previous, new Promise<void>((resolve) => (timer = setTimeout(resolve, TURN_WAIT_MS)))])
  clearTimeout(timer)
  try {
    return await writeEvents(db, orgId, events, now, chain)
  } finally {
    done()
  }
}

async function writeEvents(db: Db, orgId: string, events: readonly AuditEvent[], atMs: number, chain: Chain): Promise<AuditRow[]> {
  for (let attempt = 1; ; attempt++) {
    const head = chain.head ?? (await db.select({ seq: auditHeads.seq, hash: auditHeads.hash }).from(auditHeads).where(eq(auditHeads.orgId, orgId)).get()) ?? null
    let seq = head?.seq ?? 0
    let prevHash = head?.hash ?? GENESIS_HASH
    const rows: AuditRow[] = []
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
