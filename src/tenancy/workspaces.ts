/**
 * @module Workspaces: an org's rooms for files. Any org member may create one and becomes its admin;
 * a user sees `default` and the workspaces they are a member of; `default` is never deleted.
 */
import { and, eq, inArray } from 'drizzle-orm'
import { appendAudit, userActor } from '../audit/log'
import { d1Database, type Db } from '../db/client'
import { workspaceMembers, workspaces } from '../db/schema'
import { TenancyError } from './errors'
import { DEFAULT_WORKSPACE } from './orgs'
import type { OrgUser } from './principal'
import { authorizeWorkspace, type Workspace } from './workspace-access'
import { deleteWorkspaceContents, type WorkspaceDeletionDeps } from './workspace-deletion'

type WorkspaceRow = { org_id: string; id: string; name: string; creator_user_id: string | null; created_at: number; index_shards: number; index_generation: number; index_next_shards: number | null }

/**
 * Creates workspace `id` in the user's org with the user as its admin; its name defaults to its id.
 * @example const ws = await createWorkspace(env.DB, user, { id: 'legal', name: 'Legal' })
 */
export async function createWorkspace(d1: D1Database, user: OrgUser, input: { id: string; name?: string; indexShards?: number }): Promise<Workspace> {
  const { id, name } = input
  const now = Date.now()
  // One batch, so a workspace never exists without its admin; the member row is only
  // written if this request's insert is the one that created the workspace.
  const [inserted] = await d1.batch<WorkspaceRow>([
    d1
      .prepare('INSERT INTO workspaces (org_id, id, name, creator_user_id, created_at, index_shards) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING RETURNING *')
      .bind(user.orgId, id, name ?? id, user.userId, now, input.indexShards ?? 0),
    d1
      .prepare(
        "INSERT INTO workspace_members (org_id, workspace_id, user_id, access, created_at) SELECT ?1, ?2, ?3, 'admin', ?4 WHERE changes() = 1 ON CONFLICT DO NOTHING",
      )
      .bind(user.orgId, id, user.userId, now),
  ])
  const row = inserted?.results[0]
  if (!row) throw new TenancyError('conflict', `Workspace "${id}" already exists in your org.`, { code: 'workspace_exists', param: 'id' })
  await appendAudit(d1Database(d1), user.orgId, [{ actor: userActor(user), action: 'workspace.created', workspaceId: id, target: id, details: { name: row.name } }])
  return {
    orgId: row.org_id,
    id: row.id,
    name: row.name,
    creatorUserId: row.creator_user_id,
    createdAt: row.created_at,
    indexShards: row.index_shards,
    indexGeneration: row.index_generation,
    indexNextShards: row.index_next_shards,
  }
}

/** The workspaces the user can read: `default` and those they are a member of, oldest first. */
export async function listWorkspaces(db: Db, user: OrgUser): Promise<Workspace[]> {
  const mine = await db
    .select({ id: workspaceMembers.workspaceId })
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.orgId, user.orgId), eq(workspaceMembers.userId, user.userId)))
    .all()
  const ids = [DEFAULT_WORKSPACE, ...mine.map((m) => m.id)]
  return db
    .select()
    .from(workspaces)
    .where(and(eq(workspaces.orgId, user.orgId), inArray(workspaces.id, ids)))
    .orderBy(workspaces.createdAt, workspaces.id)
    .all()
}

/** A workspace the user can read. */
export async function getWorkspace(db: Db, user: OrgUser, workspaceId: string): Promise<Workspace> {
  return (await authorizeWorkspace(db, user, workspaceId, 'reader')).workspace
}

/** Deletes a workspace and everything in it; only its admins may, and never `default`. */
export async function deleteWorkspace(deps: WorkspaceDeletionDeps, user: OrgUser, workspaceId: string): Promise<void> {
  if (workspaceId === DEFAULT_WORKSPACE) {
    // The access check comes first, as for any workspace, so its 404 and 403 win over the refusal.
    await authorizeWorkspace(deps.db, user, workspaceId, 'reader')
    throw new TenancyError('conflict', 'The "default" workspace cannot be deleted: every org keeps one. Delete its files instead.', {
      code: 'default_workspace',
      param: 'workspace_id',
    })
  }
  await authorizeWorkspace(deps.db, user, workspaceId, 'admin')
  await deleteWorkspaceContents(deps, user.orgId, workspaceId, userActor(user))
  await appendAudit(deps.db, user.orgId, [{ actor: userActor(user), action: 'workspace.deleted', workspaceId, target: workspaceId }])
}
