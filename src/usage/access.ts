/**
 * @module Whose usage a caller may see. A user sees their own, everywhere; a workspace admin also
 * sees everyone's in the workspaces they administer; the deployment admin token sees any org's, named
 * by `org`. Outside the caller's org nothing exists (404); inside, asking for what is not theirs is 403.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { workspaces } from '../db/schema'
import type { Principal } from '../tenancy/principal'
import { administeredWorkspaces, reportedOrg } from '../tenancy/org-reports'
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
  const orgId = await reportedOrg(db, principal, request.org)
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

async function requireWorkspace(db: Db, orgId: string, workspaceId: string): Promise<void> {
  const found = await db.select({ id: workspaces.id }).from(workspaces).where(and(eq(workspaces.orgId, orgId), eq(workspaces.id, workspaceId))).get()
  if (!found) throw new UsageError('not_found', `No workspace "${workspaceId}" in the org.`, 'workspace')
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
