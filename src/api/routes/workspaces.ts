/**
 * @module The Workspaces API: an org's workspaces and their members. Any org member may
 * create a workspace (and becomes its admin); readers see it, admins manage and delete it.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { and, eq, inArray, or } from 'drizzle-orm'
import { ACCESS_LEVELS, users, workspaceMembers, workspaces, type Access } from '../../db/schema'
import { requireUser, type UserPrincipal } from '../auth'
import { conflict, invalid, notFound } from '../errors'
import { bearerSecurity, errorResponses, isoDate, WorkspaceId } from '../schemas'
import { DEFAULT_WORKSPACE } from '../../tenancy/orgs'
import { authorizeWorkspace, effectiveAccess, type Workspace } from '../../tenancy/workspace-access'
import { deleteWorkspaceContents } from '../../tenancy/workspace-deletion'
import type { App } from '../context'
import type { Db } from '../../db/client'

const WorkspaceSchema = z
  .object({ id: z.string(), name: z.string(), creator_user_id: z.string().nullable(), org_id: z.string(), created_at: z.string() })
  .openapi('Workspace')
const Member = z.object({ user_id: z.string(), access: z.enum(ACCESS_LEVELS), created_at: z.string() }).openapi('WorkspaceMember')
const WorkspaceParam = z.object({ workspace_id: WorkspaceId })
const MemberBody = z.object({
  user: z.string().min(1).max(254).openapi({ description: "The user's id (or email)", example: 'user-…' }),
  access: z.enum(ACCESS_LEVELS),
})
const noContent = { 204: { description: 'Done' } }
const workspaceView = (w: Workspace) => ({
  id: w.id,
  name: w.name,
  creator_user_id: w.creatorUserId,
  org_id: w.orgId,
  created_at: isoDate(w.createdAt),
})
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true })

const routes = {
  create: createRoute({
    method: 'post',
    path: '/workspaces',
    tags: ['Workspaces'],
    summary: 'Create a workspace',
    security: bearerSecurity,
    request: { body: json(z.object({ id: WorkspaceId, name: z.string().min(1).max(200).optional() })) },
    responses: { 200: { description: 'The workspace', content: { 'application/json': { schema: WorkspaceSchema } } }, ...errorResponses(401, 403, 409, 422) },
  }),
  list: createRoute({
    method: 'get',
    path: '/workspaces',
    tags: ['Workspaces'],
    summary: 'List the workspaces you can read',
    security: bearerSecurity,
    responses: {
      200: { description: 'The workspaces', content: { 'application/json': { schema: z.object({ data: z.array(WorkspaceSchema) }) } } },
      ...errorResponses(401, 403),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/workspaces/{workspace_id}',
    tags: ['Workspaces'],
    summary: 'Get a workspace',
    security: bearerSecurity,
    request: { params: WorkspaceParam },
    responses: { 200: { description: 'The workspace', content: { 'application/json': { schema: WorkspaceSchema } } }, ...errorResponses(401, 403, 404, 422) },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/workspaces/{workspace_id}',
    tags: ['Workspaces'],
    summary: 'Delete a workspace and everything in it',
    security: bearerSecurity,
    request: { params: WorkspaceParam },
    responses: { ...noContent, ...errorResponses(401, 403, 404, 409, 422) },
  }),
  addUser: createRoute({
    method: 'post',
    path: '/workspaces/{workspace_id}/user',
    tags: ['Workspaces'],
    summary: 'Add a user of your org to a workspace',
    security: bearerSecurity,
    request: { params: WorkspaceParam, body: json(MemberBody) },
    responses: { ...noContent, ...errorResponses(401, 403, 404, 409, 422) },
  }),
  updateUser: createRoute({
    method: 'put',
    path: '/workspaces/{workspace_id}/user',
    tags: ['Workspaces'],
    summary: "Change a member's access",
    security: bearerSecurity,
    request: { params: WorkspaceParam, body: json(MemberBody) },
    responses: { ...noContent, ...errorResponses(401, 403, 404, 409, 422) },
  }),
  removeUser: createRoute({
    method: 'delete',
    path: '/workspaces/{workspace_id}/user/{user_id}',
    tags: ['Workspaces'],
    summary: 'Remove a member from a workspace',
    security: bearerSecurity,
    request: { params: WorkspaceParam.extend({ user_id: z.string().min(1).max(254) }) },
    responses: { ...noContent, ...errorResponses(401, 403, 404, 409, 422) },
  }),
  listUsers: createRoute({
    method: 'get',
    path: '/workspaces/{workspace_id}/users',
    tags: ['Workspaces'],
    summary: "List a workspace's members and their access",
    description: 'In `default`, every member of the org is listed, at least as a writer.',
    security: bearerSecurity,
    request: { params: WorkspaceParam },
    responses: {
      200: { description: 'The members', content: { 'application/json': { schema: z.object({ data: z.array(Member) }) } } },
      ...errorResponses(401, 403, 404, 422),
    },
  }),
}

/** A user of the caller's org, by id or email; another org's user is as missing as a nonexistent one. */
async function findOrgUser(db: Db, caller: UserPrincipal, idOrEmail: string, param: string) {
  const user = await db
    .select()
    .from(users)
    .where(and(eq(users.orgId, caller.orgId), or(eq(users.id, idOrEmail), eq(users.email, idOrEmail.toLowerCase()))))
    .get()
  if (!user) throw notFound(`No user "${idOrEmail}" in your org.`, param)
  return user
}

async function members(db: Db, orgId: string, workspaceId: string) {
  return db
    .select()
    .from(workspaceMembers)
    .where(and(eq(workspaceMembers.orgId, orgId), eq(workspaceMembers.workspaceId, workspaceId)))
    .all()
}

/** Refuses a change that would leave a workspace other than `default` with no admin. */
async function keepAnAdmin(db: Db, orgId: string, workspaceId: string, userId: string, newAccess: Access | null) {
  if (workspaceId === DEFAULT_WORKSPACE || newAccess === 'admin') return
  const admins = (await members(db, orgId, workspaceId)).filter((m) => m.access === 'admin')
  if (admins.length === 1 && admins[0]!.userId === userId) {
    throw conflict(`That would leave workspace "${workspaceId}" without an admin. Make another member admin first.`, 'last_admin', 'user')
  }
}

export function registerWorkspaceRoutes(app: App): void {
  app.openapi(routes.create, async (c) => {
    const user = requireUser(c)
    const { id, name } = c.req.valid('json')
    const { d1 } = c.get('deps')
    const now = Date.now()
    // One batch, so a workspace never exists without its admin; the member row is only
    // written if this request's insert is the one that created the workspace.
    const [inserted] = await d1.batch<{ org_id: string; id: string; name: string; creator_user_id: string | null; created_at: number }>([
      d1
        .prepare('INSERT INTO workspaces (org_id, id, name, creator_user_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING RETURNING *')
        .bind(user.orgId, id, name ?? id, user.userId, now),
      d1
        .prepare(
          "INSERT INTO workspace_members (org_id, workspace_id, user_id, access, created_at) SELECT ?1, ?2, ?3, 'admin', ?4 WHERE changes() = 1 ON CONFLICT DO NOTHING",
        )
        .bind(user.orgId, id, user.userId, now),
    ])
    const row = inserted?.results[0]
    if (!row) throw conflict(`Workspace "${id}" already exists in your org.`, 'workspace_exists', 'id')
    const created: Workspace = { orgId: row.org_id, id: row.id, name: row.name, creatorUserId: row.creator_user_id, createdAt: row.created_at }
    return c.json(workspaceView(created), 200)
  })

  app.openapi(routes.list, async (c) => {
    const user = requireUser(c)
    const { db } = c.get('deps')
    const mine = await db
      .select({ id: workspaceMembers.workspaceId })
      .from(workspaceMembers)
      .where(and(eq(workspaceMembers.orgId, user.orgId), eq(workspaceMembers.userId, user.userId)))
      .all()
    const ids = [DEFAULT_WORKSPACE, ...mine.map((m) => m.id)]
    const rows = await db
      .select()
      .from(workspaces)
      .where(and(eq(workspaces.orgId, user.orgId), inArray(workspaces.id, ids)))
      .orderBy(workspaces.createdAt, workspaces.id)
      .all()
    return c.json({ data: rows.map(workspaceView) }, 200)
  })

  app.openapi(routes.get, async (c) => {
    const { workspace } = await authorizeWorkspace(c.get('deps').db, requireUser(c), c.req.valid('param').workspace_id, 'reader')
    return c.json(workspaceView(workspace), 200)
  })

  app.openapi(routes.delete, async (c) => {
    const user = requireUser(c)
    const { workspace_id } = c.req.valid('param')
    const { db } = c.get('deps')
    if (workspace_id === DEFAULT_WORKSPACE) {
      await authorizeWorkspace(db, user, workspace_id, 'reader')
      throw conflict('The "default" workspace cannot be deleted: every org keeps one. Delete its files instead.', 'default_workspace', 'workspace_id')
    }
    await authorizeWorkspace(db, user, workspace_id, 'admin')
    await deleteWorkspaceContents(c.get('deps'), user.orgId, workspace_id)
    return c.body(null, 204)
  })

  app.openapi(routes.addUser, async (c) => {
    const caller = requireUser(c)
    const { workspace_id } = c.req.valid('param')
    const body = c.req.valid('json')
    const { db } = c.get('deps')
    await authorizeWorkspace(db, caller, workspace_id, 'admin')
    const user = await findOrgUser(db, caller, body.user, 'user')
    const added = await db
      .insert(workspaceMembers)
      .values({ orgId: caller.orgId, workspaceId: workspace_id, userId: user.id, access: body.access, createdAt: Date.now() })
      .onConflictDoNothing()
      .returning()
      .get()
    if (!added) throw conflict(`${user.email} is already a member of "${workspace_id}"; use PUT to change their access.`, 'already_member', 'user')
    return c.body(null, 204)
  })

  app.openapi(routes.updateUser, async (c) => {
    const caller = requireUser(c)
    const { workspace_id } = c.req.valid('param')
    const body = c.req.valid('json')
    const { db } = c.get('deps')
    await authorizeWorkspace(db, caller, workspace_id, 'admin')
    const user = await findOrgUser(db, caller, body.user, 'user')
    await keepAnAdmin(db, caller.orgId, workspace_id, user.id, body.access)
    const where = and(eq(workspaceMembers.orgId, caller.orgId), eq(workspaceMembers.workspaceId, workspace_id), eq(workspaceMembers.userId, user.id))
    if (workspace_id === DEFAULT_WORKSPACE) {
      // In `default` every org member is implicitly a writer, so setting access needs no prior row.
      await db
        .insert(workspaceMembers)
        .values({ orgId: caller.orgId, workspaceId: workspace_id, userId: user.id, access: body.access, createdAt: Date.now() })
        .onConflictDoUpdate({ target: [workspaceMembers.orgId, workspaceMembers.workspaceId, workspaceMembers.userId], set: { access: body.access } })
      return c.body(null, 204)
    }
    const updated = await db.update(workspaceMembers).set({ access: body.access }).where(where).returning().get()
    if (!updated) throw notFound(`${user.email} is not a member of "${workspace_id}"; use POST to add them.`, 'user')
    return c.body(null, 204)
  })

  app.openapi(routes.removeUser, async (c) => {
    const caller = requireUser(c)
    const { workspace_id, user_id } = c.req.valid('param')
    const { db } = c.get('deps')
    await authorizeWorkspace(db, caller, workspace_id, 'admin')
    const user = await findOrgUser(db, caller, user_id, 'user_id')
    if (workspace_id === DEFAULT_WORKSPACE) {
      throw invalid('Every org member belongs to "default" as at least a writer; use PUT to change their access instead.', 'user_id', 'default_workspace')
    }
    await keepAnAdmin(db, caller.orgId, workspace_id, user.id, null)
    const removed = await db
      .delete(workspaceMembers)
      .where(and(eq(workspaceMembers.orgId, caller.orgId), eq(workspaceMembers.workspaceId, workspace_id), eq(workspaceMembers.userId, user.id)))
      .returning()
      .get()
    if (!removed) throw notFound(`${user.email} is not a member of "${workspace_id}".`, 'user_id')
    return c.body(null, 204)
  })

  app.openapi(routes.listUsers, async (c) => {
    const caller = requireUser(c)
    const { workspace_id } = c.req.valid('param')
    const { db } = c.get('deps')
    const { workspace } = await authorizeWorkspace(db, caller, workspace_id, 'reader')
    const explicit = await members(db, caller.orgId, workspace_id)
    const byUser = new Map(explicit.map((m) => [m.userId, m]))
    if (workspace_id === DEFAULT_WORKSPACE) {
      const everyone = await db.select({ id: users.id, createdAt: users.createdAt }).from(users).where(eq(users.orgId, caller.orgId)).all()
      const data = everyone.map((u) => ({
        user_id: u.id,
        access: effectiveAccess(workspace_id, byUser.get(u.id)?.access ?? null)!,
        created_at: isoDate(Math.max(u.createdAt, workspace.createdAt)),
      }))
      return c.json({ data }, 200)
    }
    const data = explicit.map((m) => ({ user_id: m.userId, access: m.access, created_at: isoDate(m.createdAt) }))
    return c.json({ data }, 200)
  })
}
