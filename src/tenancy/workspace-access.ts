/**
 * @module Who may do what in a workspace. Access levels are ordered reader < writer < admin;
 * every org member is at least a writer in `default`. Outside the caller's org a workspace
 * does not exist (404); inside it, too little access is 403.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { workspaceMembers, workspaces, type Access } from '../db/schema'
import { TenancyError } from './errors'
import { DEFAULT_WORKSPACE } from './orgs'
import type { OrgUser } from './principal'

export type Workspace = typeof workspaces.$inferSelect

const RANK: Record<Access, number> = { reader: 1, writer: 2, admin: 3 }

export function atLeast(access: Access | null, needed: Access): boolean {
  return access !== null && RANK[access] >= RANK[needed]
}

/** The stronger of two access levels (null is none). */
export function stronger(a: Access | null, b: Access | null): Access | null {
  if (a === null) return b
  if (b === null) return a
  return RANK[a] >= RANK[b] ? a : b
}

/** The effective access of a user to a workspace of their org, given its explicit membership row. */
export function effectiveAccess(workspaceId: string, explicit: Access | null): Access | null {
  return workspaceId === DEFAULT_WORKSPACE ? stronger('writer', explicit) : explicit
}

/**
 * The workspace, if the caller has at least `needed` access to it.
 * @example const ws = await authorizeWorkspace(db, user, 'legal', 'writer')
 */
export async function authorizeWorkspace(
  db: Db,
  user: OrgUser,
  workspaceId: string,
  needed: Access,
): Promise<{ workspace: Workspace; access: Access }> {
  // One query for the workspace and the caller's membership: every data request runs this first.
  const row = await db
    .select({ workspace: workspaces, explicit: workspaceMembers.access })
    .from(workspaces)
    .leftJoin(
      workspaceMembers,
      and(eq(workspaceMembers.orgId, workspaces.orgId), eq(workspaceMembers.workspaceId, workspaces.id), eq(workspaceMembers.userId, user.userId)),
    )
    .where(and(eq(workspaces.orgId, user.orgId), eq(workspaces.id, workspaceId)))
    .get()
  if (!row) throw new TenancyError('not_found', `No workspace "${workspaceId}" in your org.`, { param: 'workspace_id' })
  const workspace = row.workspace
  const access = effectiveAccess(workspaceId, row.explicit ?? null)
  if (!atLeast(access, needed)) {
    const have = access ? `${access} access` : 'no access'
    throw new TenancyError('forbidden', `You have ${have} to workspace "${workspaceId}"; this needs ${needed} access. A workspace admin can grant it.`)
  }
  return { workspace, access: access! }
}
