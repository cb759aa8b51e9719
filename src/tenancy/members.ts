/**
 * @module Workspace members and their access. Admins add, change and remove members of their org;
 * a workspace other than `default` always keeps an admin; in `default` every org member is at least a writer.
 */
import { and, eq } from 'drizzle-orm'
import { appendAudit, userActor, type AuditAction } from '../audit/log'
import type { Db } from '../db/client'
import { users, workspaceMembers, type Access } from '../db/schema'
import { TenancyError } from './errors'
import { DEFAULT_WORKSPACE } from './orgs'
import type { OrgUser } from './principal'
import { findOrgUser } from './users'
import { authorizeWorkspace, effectiveAccess } from './workspace-access'

/** A member as listed: `createdAt` is when their access began. */
export type Member = { userId: string; access: Access; createdAt: number }

/** Who to change and to what: `user` is an id or email of the caller's org. */
export type MemberChange = { user: string; access: Access }

async function memberRows(db: Db, orgId: string, workspaceId: string) {
  return db
    .select()
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.orgId, orgId), eq(workspaceMembers.workspaceId, workspaceId)))
    .all()
}

/** Refuses a change that would leave a workspace other than `default` with no admin. */
async function keepAnAdmin(db: Db, orgId: string, workspaceId: string, userId: string, newAccess: Access | null) {
  if (workspaceId === DEFAULT_WORKSPACE || newAccess === 'admin') return
  const admins = (await memberRows(db, orgId, workspaceId)).filter((m) => m.access === 'admin')
  if (admins.length === 1 && admins[0]!.userId === userId) {
    throw new TenancyError('conflict', `That would leave workspace "${workspaceId}" without an admin. Make another member admin first.`, {
      code: 'last_admin',
      param: 'user',
    })
  }
}

/**
 * Adds a user of the caller's org to a workspace the caller administers.
 * @example await addMember(db, caller, 'legal', { user: 'ana@example.com', access: 'reader' })
 */
export async function addMember(db: Db, caller: OrgUser, workspaceId: string, change: MemberChange): Promise<void> {
  await authorizeWorkspace(db, caller, workspaceId, 'admin')
  const user = await findOrgUser(db, caller.orgId, change.user, 'user')
  const added = await db
    .insert(workspaceMembers)
    .values({ orgId: caller.orgId, workspaceId, userId: user.id, access: change.access, createdAt: Date.now() })
    .onConflictDoNothing()
    .returning()
    .get()
  if (!added) {
    throw new TenancyError('conflict', `${user.email} is already a member of "${workspaceId}"; use PUT to change their access.`, { code: 'already_member', param: 'user' })
  }
  await recordMemberChange(db, caller, workspaceId, 'member.added', user, { access: change.access })
}

function recordMemberChange(db: Db, caller: OrgUser, workspaceId: string, action: AuditAction, member: { id: string; email: string }, details: Record<string, unknown>) {
  return appendAudit(db, caller.orgId, [{ actor: userActor(caller), action, workspaceId, target: member.id, details: { ...details, email: member.email } }])
}

/** Changes a member's access; in `default` any org member's, since all of them belong to it. */
export async function setMemberAccess(db: Db, caller: OrgUser, workspaceId: string, change: MemberChange): Promise<void> {
  await authorizeWorkspace(db, caller, workspaceId, 'admin')
  const user = await findOrgUser(db, caller.orgId, change.user, 'user')
  await keepAnAdmin(db, caller.orgId, workspaceId, user.id, change.access)
  if (workspaceId === DEFAULT_WORKSPACE) {
    // In `default` every org member is implicitly a writer, so setting access needs no prior row.
    await db
      .insert(workspaceMembers)
      .values({ orgId: caller.orgId, workspaceId, userId: user.id, access: change.access, createdAt: Date.now() })
      .onConflictDoUpdate({ target: [workspaceMembers.orgId, workspaceMembers.workspaceId, workspaceMembers.userId], set: { access: change.access } })
    await recordMemberChange(db, caller, workspaceId, 'member.access_changed', user, { access: change.access })
    return
  }
  const where = and(eq(workspaceMembers.orgId, caller.orgId), eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, user.id))
  const updated = await db.update(workspaceMembers).set({ access: change.access }).where(where).returning().get()
  if (!updated) throw new TenancyError('not_found', `${user.email} is not a member of "${workspaceId}"; use POST to add them.`, { param: 'user' })
  await recordMemberChange(db, caller, workspaceId, 'member.access_changed', user, { access: change.access })
}

/** Removes a member (by id or email) from a workspace other than `default`. */
export async function removeMember(db: Db, caller: OrgUser, workspaceId: string, userIdOrEmail: string): Promise<void> {
  await authorizeWorkspace(db, caller, workspaceId, 'admin')
  const user = await findOrgUser(db, caller.orgId, userIdOrEmail, 'user_id')
  if (workspaceId === DEFAULT_WORKSPACE) {
    throw new TenancyError('invalid', 'Every org member belongs to "default" as at least a writer; use PUT to change their access instead.', {
      code: 'default_workspace',
      param: 'user_id',
    })
  }
  await keepAnAdmin(db, caller.orgId, workspaceId, user.id, null)
  const removed = await db
    .delete(workspaceMembers)
    .where(and(eq(workspaceMembers.orgId, caller.orgId), eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, user.id)))
    .returning()
    .get()
  if (!removed) throw new TenancyError('not_found', `${user.email} is not a member of "${workspaceId}".`, { param: 'user_id' })
  await recordMemberChange(db, caller, workspaceId, 'member.removed', user, { access: removed.access })
}

/** A workspace's members and their access, for anyone who can read it. In `default`, every org member. */
export async function listMembers(db: Db, caller: OrgUser, workspaceId: string): Promise<Member[]> {
  const { workspace } = await authorizeWorkspace(db, caller, workspaceId, 'reader')
  const explicit = await memberRows(db, caller.orgId, workspaceId)
  if (workspaceId === DEFAULT_WORKSPACE) {
    const byUser = new Map(explicit.map((m) => [m.userId, m]))
    const everyone = await db.select({ id: users.id, createdAt: users.createdAt }).from(users).where(eq(users.orgId, caller.orgId)).all()
    return everyone.map((u) => ({
      userId: u.id,
      access: effectiveAccess(workspaceId, byUser.get(u.id)?.access ?? null)!,
      // A user older than the workspace joined it when it was made.
      createdAt: Math.max(u.createdAt, workspace.createdAt),
    }))
  }
  return explicit.map((m) => ({ userId: m.userId, access: m.access, createdAt: m.createdAt }))
}
