/**
 * @module The Workspaces API over HTTP: `/workspaces` and their members. The rules (who may create,
 * see, manage and delete what) are tenancy's; these routes parse, authorise the caller and answer.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { ACCESS_LEVELS } from '../../db/schema'
import { addMember, listMembers, removeMember, setMemberAccess, type Member } from '../../tenancy/members'
import type { Workspace } from '../../tenancy/workspace-access'
import { createWorkspace, deleteWorkspace, getWorkspace, listWorkspaces } from '../../tenancy/workspaces'
import { requireUser } from '../auth'
import { resourceApp } from '../resource-app'
import { bearerSecurity, errorResponses, isoDate, WorkspaceId } from '../schemas'
import type { App } from '../context'

const WorkspaceSchema = z
  .object({ id: z.string(), name: z.string(), creator_user_id: z.string().nullable(), org_id: z.string(), created_at: z.string() })
  .openapi('Workspace')
const MemberSchema = z.object({ user_id: z.string(), access: z.enum(ACCESS_LEVELS), created_at: z.string() }).openapi('WorkspaceMember')
const WorkspaceParam = z.object({ workspace_id: WorkspaceId })
const MemberBody = z.object({
  user: z.string().min(1).max(254).openapi({ description: "The user's id (or email)", example: 'user-…' }),
  access: z.enum(ACCESS_LEVELS),
})
const noContent = { 204: { description: 'Done' } }
const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true })
const answer = <T extends z.ZodType>(description: string, schema: T) => ({ 200: { description, content: { 'application/json': { schema } } } })

const workspaceView = (w: Workspace) => ({ id: w.id, name: w.name, creator_user_id: w.creatorUserId, org_id: w.orgId, created_at: isoDate(w.createdAt) })
const memberView = (m: Member) => ({ user_id: m.userId, access: m.access, created_at: isoDate(m.createdAt) })

// Paths are relative to where the app mounts these routes: `/workspaces`.
const routes = {
  create: createRoute({
    method: 'post',
    path: '/',
    tags: ['Workspaces'],
    summary: 'Create a workspace',
    security: bearerSecurity,
    request: { body: json(z.object({ id: WorkspaceId, name: z.string().min(1).max(200).optional() })) },
    responses: { ...answer('The workspace', WorkspaceSchema), ...errorResponses(401, 403, 409, 422) },
  }),
  list: createRoute({
    method: 'get',
    path: '/',
    tags: ['Workspaces'],
    summary: 'List the workspaces you can read',
    security: bearerSecurity,
    responses: { ...answer('The workspaces', z.object({ data: z.array(WorkspaceSchema) })), ...errorResponses(401, 403) },
  }),
  get: createRoute({
    method: 'get',
    path: '/{workspace_id}',
    tags: ['Workspaces'],
    summary: 'Get a workspace',
    security: bearerSecurity,
    request: { params: WorkspaceParam },
    responses: { ...answer('The workspace', WorkspaceSchema), ...errorResponses(401, 403, 404, 422) },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/{workspace_id}',
    tags: ['Workspaces'],
    summary: 'Delete a workspace and everything in it',
    security: bearerSecurity,
    request: { params: WorkspaceParam },
    responses: { ...noContent, ...errorResponses(401, 403, 404, 409, 422) },
  }),
  addUser: createRoute({
    method: 'post',
    path: '/{workspace_id}/user',
    tags: ['Workspaces'],
    summary: 'Add a user of your org to a workspace',
    security: bearerSecurity,
    request: { params: WorkspaceParam, body: json(MemberBody) },
    responses: { ...noContent, ...errorResponses(401, 403, 404, 409, 422) },
  }),
  updateUser: createRoute({
    method: 'put',
    path: '/{workspace_id}/user',
    tags: ['Workspaces'],
    summary: "Change a member's access",
    security: bearerSecurity,
    request: { params: WorkspaceParam, body: json(MemberBody) },
    responses: { ...noContent, ...errorResponses(401, 403, 404, 409, 422) },
  }),
  removeUser: createRoute({
    method: 'delete',
    path: '/{workspace_id}/user/{user_id}',
    tags: ['Workspaces'],
    summary: 'Remove a member from a workspace',
    security: bearerSecurity,
    request: { params: WorkspaceParam.extend({ user_id: z.string().min(1).max(254) }) },
    responses: { ...noContent, ...errorResponses(401, 403, 404, 409, 422) },
  }),
  listUsers: createRoute({
    method: 'get',
    path: '/{workspace_id}/users',
    tags: ['Workspaces'],
    summary: "List a workspace's members and their access",
    description: 'In `default`, every member of the org is listed, at least as a writer.',
    security: bearerSecurity,
    request: { params: WorkspaceParam },
    responses: { ...answer('The members', z.object({ data: z.array(MemberSchema) })), ...errorResponses(401, 403, 404, 422) },
  }),
}

/** The routes under `/workspaces`. */
export function workspaceRoutes(): App {
  const app = resourceApp()
  app.openapi(routes.create, async (c) => {
    const workspace = await createWorkspace(c.get('deps').d1, requireUser(c), { ...c.req.valid('json'), indexShards: c.get('deps').config.indexShards })
    return c.json(workspaceView(workspace), 200)
  })
  app.openapi(routes.list, async (c) => {
    const workspaces = await listWorkspaces(c.get('deps').db, requireUser(c))
    return c.json({ data: workspaces.map(workspaceView) }, 200)
  })
  app.openapi(routes.get, async (c) => {
    const workspace = await getWorkspace(c.get('deps').db, requireUser(c), c.req.valid('param').workspace_id)
    return c.json(workspaceView(workspace), 200)
  })
  app.openapi(routes.delete, async (c) => {
    await deleteWorkspace(c.get('deps'), requireUser(c), c.req.valid('param').workspace_id)
    return c.body(null, 204)
  })
  app.openapi(routes.addUser, async (c) => {
    await addMember(c.get('deps').db, requireUser(c), c.req.valid('param').workspace_id, c.req.valid('json'))
    return c.body(null, 204)
  })
  app.openapi(routes.updateUser, async (c) => {
    await setMemberAccess(c.get('deps').db, requireUser(c), c.req.valid('param').workspace_id, c.req.valid('json'))
    return c.body(null, 204)
  })
  app.openapi(routes.removeUser, async (c) => {
    const { workspace_id, user_id } = c.req.valid('param')
    await removeMember(c.get('deps').db, requireUser(c), workspace_id, user_id)
    return c.body(null, 204)
  })
  app.openapi(routes.listUsers, async (c) => {
    const members = await listMembers(c.get('deps').db, requireUser(c), c.req.valid('param').workspace_id)
    return c.json({ data: members.map(memberView) }, 200)
  })
  return app
}
