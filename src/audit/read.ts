/**
 * @module Reading an org's audit log, and who may. The deployment's admin reads any org's whole log;
 * a user reads the events they did and every event of the workspaces they administer. Filters narrow
 * by action, actor, workspace, target and time; pages follow the sequence, newest first by default.
 */
import { and, asc, desc, eq, gt, gte, inArray, lt, lte, or, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { auditEvents, users } from '../db/schema'
import { administeredWorkspaces, reportedOrg } from '../tenancy/org-reports'
import type { Principal } from '../tenancy/principal'
import { sealChain, type AuditRow } from './log'

export type AuditQuery = {
  /** For the admin token: the org, by id or name. Users read their own org. */
  org?: string | undefined
  actions?: string[] | undefined
  /** A user id or email. */
  actor?: string | undefined
  workspace?: string | undefined
  target?: string | undefined
  sinceMs?: number | undefined
  untilMs?: number | undefined
  /** Continue after this sequence number, in `order`. */
  afterSeq?: number | undefined
  order: 'asc' | 'desc'
  limit: number
}

export type AuditScope = { orgId: string; visible: SQL | undefined }

/** The org a reader reads and the events they may see in it (tenancy/org-reports.ts). */
export async function auditScope(db: Db, principal: Principal, org: string | undefined): Promise<AuditScope> {
  const orgId = await reportedOrg(db, principal, org)
  if (principal.kind === 'admin') return { orgId, visible: undefined }
  const administered = await administeredWorkspaces(db, orgId, principal.userId)
  const own = and(eq(auditEvents.actorKind, 'user'), eq(auditEvents.actorId, principal.userId))
  return { orgId, visible: administered.length > 0 ? or(own, inArray(auditEvents.workspaceId, administered)) : own }
}

async function actorId(db: Db, orgId: string, actor: string): Promise<string> {
  if (!actor.includes('@')) return actor
  const user = await db.select({ id: users.id }).from(users).where(and(eq(users.orgId, orgId), eq(users.email, actor.toLowerCase()))).get()
  // An email no one in the org has matches nothing rather than failing: a removed user's events stay findable by id.
  return user?.id ?? actor
}

/** One page of events, and whether more follow. */
export async function readAuditLog(db: Db, principal: Principal, query: AuditQuery): Promise<{ orgId: string; events: AuditRow[]; hasMore: boolean }> {
  const scope = await auditScope(db, principal, query.org)
  // Events an appender inserted but has not sealed yet (it stopped, or is a moment behind) are sealed first.
  if (query.afterSeq === undefined) await sealChain(db, scope.orgId)
  const conditions: Array<SQL | undefined> = [eq(auditEvents.orgId, scope.orgId), scope.visible]
  if (query.actions?.length) conditions.push(inArray(auditEvents.action, query.actions))
  if (query.actor) conditions.push(eq(auditEvents.actorId, await actorId(db, scope.orgId, query.actor)))
  if (query.workspace) conditions.push(eq(auditEvents.workspaceId, query.workspace))
  if (query.target) conditions.push(eq(auditEvents.target, query.target))
  if (query.sinceMs !== undefined) conditions.push(gte(auditEvents.atMs, query.sinceMs))
  if (query.untilMs !== undefined) conditions.push(lte(auditEvents.atMs, query.untilMs))
  if (query.afterSeq !== undefined) conditions.push(query.order === 'asc' ? gt(auditEvents.seq, query.afterSeq) : lt(auditEvents.seq, query.afterSeq))
  const rows = await db
    .select()
    .from(auditEvents)
    .where(and(...conditions))
    .orderBy(query.order === 'asc' ? asc(auditEvents.seq) : desc(auditEvents.seq))
    .limit(query.limit + 1)
    .all()
  return { orgId: scope.orgId, events: rows.slice(0, query.limit), hasMore: rows.length > query.limit }
}
