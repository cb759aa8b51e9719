/**
 * @module Whose usage a caller may see. A user sees their own, everywhere; a workspace admin also
 * sees everyone's in the workspaces they administer; the deployment admin token sees any org's, named
 * by `org`. Outside the caller's org nothing exists (404); inside, asking for what is not theirs is 403.
 */
import { and, eq, or } from 'drizzle-orm'
import type { Db } from '../db/client'
import { orgs, workspaceMembers, workspaces } from '../db/schema'
import type { Principal } from '../tenancy/principal'
import { findOrgUser } from '../tenancy/users'
import { UsageError } from './errors'

/** What a report may include: one org, narrowed to a workspace or a user when asked. */
export type UsageScope = {
  orgId: string
  workspaceId: string | null
  userId: string | null
  /** For a user: rows are theirs, or of a workspace they administer. Null: the whole org (the admin token). */
  viewer: { userId: string } | null
}

export type ScopeRequest = { org?: string | undefined; workspace?: string | undefined; user?: string | undefined }

/** Resolves who is asked about, refusing what the caller may not see. */
export async function usageScope(db: Db, principal: Principal, request: ScopeRequest): Promise<UsageScope> {
  const orgId = await orgOf(db, principal, request.org)
  const workspaceId = request.workspace ?? null
  if (workspaceId !== null) await requireWorkspace(db, orgId, workspaceId)
  const userId = request.user === undefined ? null : (await findOrgUser(db, orgId, request.user, 'user')).id
  if (principal.kind === 'admin') return { orgId, workspaceId, userId, viewer: null }

  if (userId !== null && userId !== principal.userId) {
    const administered = await administeredWorkspaces(db, orgId, principal.userId)
    const allowed = workspaceId === null ? administered.length > 0 : administered.includes(workspaceId)
    if (!allowed) {
      const where = workspaceId === null ? 'in the workspaces you administer, and you administer none' : `in workspace "${workspaceId}" only if you administer it`
      throw new UsageError('forbidden', `You may see another user's usage ${where}. Leave out user to see your own.`, 'user')
    }
  }
  return { orgId, workspaceId, userId, viewer: { userId: principal.userId } }
}

/** The org a report is about: the admin names it (id or name); a user's is their own, and naming another finds nothing. */
async function orgOf(db: Db, principal: Principal, org: string | undefined): Promise<string> {
  if (principal.kind === 'user' && org === undefined) return principal.orgId
  if (org === undefined) throw new UsageError('invalid', 'org is required with the admin token: name the org (its id or name) whose usage to report.', 'org')
  const found = await db.select({ id: orgs.id }).from(orgs).where(or(eq(orgs.id, org), eq(orgs.name, org))).get()
  if (!found || (principal.kind === 'user' && found.id !== principal.orgId)) throw new UsageError('not_found', `No org "${org}"${principal.kind === 'user' ? ' of yours' : ''}.`, 'org')
  return found.id
}

async function requireWorkspace(db: Db, orgId: string, workspaceId: string): Promise<void> {
  const found = await db.select({ id: workspaces.id }).from(workspaces).where(and(eq(workspaces.orgId, orgId), eq(workspaces.id, workspaceId))).get()
  if (!found) throw new UsageError('not_found', `No workspace "${workspaceId}" in the org.`, 'workspace')
}

/** The workspaces a user administers (an explicit `admin` membership; `default` gives writers only). */
async function administeredWorkspaces(db: Db, orgId: string, userId: string): Promise<string[]> {
  const rows = await db
    .select({ id: workspaceMembers.workspaceId })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.orgId, orgId), eq(workspaceMembers.userId, userId), eq(workspaceMembers.access, 'admin')))
    .all()
  return rows.map((r) => r.id)
}

/**
 * The SQL condition a scope puts on a table with `org_id`, `user_id` and `workspace_id` columns (usage
 * rows, files), with its parameters: the org, the workspace and user asked for, and for a user, their
 * own rows or those of the workspaces they administer.
 */
export function scopeCondition(scope: UsageScope): { sql: string; params: string[] } {
  const parts = ['org_id = ?']
  const params = [scope.orgId]
  if (scope.workspaceId !== null) {
    parts.push('workspace_id = ?')
    params.push(scope.workspaceId)
  }
  if (scope.userId !== null) {
    parts.push('user_id = ?')
    params.push(scope.userId)
  }
  if (scope.viewer !== null) {
    parts.push("(user_id = ? OR workspace_id IN (SELECT workspace_id FROM workspace_members WHERE org_id = ? AND user_id = ? AND access = 'admin'))")
    params.push(scope.viewer.userId, scope.orgId, scope.viewer.userId)
  }
  return { sql: parts.join(' AND '), params }
}
