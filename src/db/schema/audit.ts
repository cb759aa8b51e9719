/**
 * @module Audit tables: each org's append-only log of security-relevant events and answers, and the
 * head of its hash chain. An event's `hash` covers its own columns and the previous event's hash, so
 * editing, removing or reordering any sealed event breaks the chain where it happened.
 */
import { sql } from 'drizzle-orm'
import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core'

export const auditEvents = sqliteTable(
  'audit_events',
  {
    orgId: text('org_id').notNull(),
    /** 1, 2, 3, … within the org, without gaps: a missing number is a removed event. */
    seq: integer('seq').notNull(),
    /** Milliseconds since the epoch. */
    atMs: integer('at_ms').notNull(),
    /** `user`, `admin` (the deployment's admin token) or `system` (the expiry sweep, a data source's sync). */
    actorKind: text('actor_kind', { enum: ['user', 'admin', 'system'] }).notNull(),
    /** The user's id, or for `system` what acted (`expiry`, `source:<id>`); empty for the admin. */
    actorId: text('actor_id').notNull(),
    actorEmail: text('actor_email'),
    action: text('action').notNull(),
    workspaceId: text('workspace_id'),
    /** What the event is about: a file, token, user or completion id. */
    target: text('target'),
    /** The event's particulars as canonical JSON (keys sorted), exactly the text the hash covers. */
    details: text('details').notNull(),
    /** Both null until the event is sealed, moments after it is inserted (audit/log.ts). */
    prevHash: text('prev_hash'),
    hash: text('hash'),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.seq] }),
    index('audit_events_action_idx').on(t.orgId, t.action, t.seq),
    index('audit_events_time_idx').on(t.atMs),
    // What sealing looks for: only the few events not sealed yet are in it.
    index('audit_events_unsealed_idx').on(t.orgId, t.seq).where(sql`hash IS NULL`),
  ],
)

/**
 * The last event of each org's chain, written in the same transaction as the event: removing the
 * newest events from `audit_events` leaves the head pointing past them. `anchor_*` is the last event
 * retention removed, so the oldest kept event still has a link to check.
 */
export const auditHeads = sqliteTable('audit_heads', {
  orgId: text('org_id').primaryKey(),
  seq: integer('seq').notNull(),
  hash: text('hash').notNull(),
  anchorSeq: integer('anchor_seq').notNull().default(0),
  anchorHash: text('anchor_hash').notNull(),
})
