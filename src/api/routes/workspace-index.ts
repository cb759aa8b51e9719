/**
 * @module Where a workspace's index lives, over HTTP: `GET /workspaces/{id}/index` reports its
 * placement, `PUT` asks for a move to another shard count (the deployment admin only; the copy runs on
 * the ingest queue while the workspace keeps answering). The rules are tenancy/index-moves.ts's.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { requestIndexMove, workspacePlacement, type IndexPlacement } from '../../tenancy/index-moves'
import { MAX_INDEX_SHARDS } from '../../config'
import { resourceApp } from '../resource-app'
import { bearerSecurity, errorResponses, WorkspaceId } from '../schemas'
import type { App } from '../context'

const Param = z.object({ workspace_id: WorkspaceId })
const Query = z.object({
  org: z.string().min(1).max(100).optional().openapi({ description: "The workspace's org (id or name); required with the admin token" }),
})
const PlacementSchema = z
  .object({
    object: z.literal('workspace.index'),
    workspace: z.string(),
    org_id: z.string(),
    shards: z.number().int().openapi({ description: "How many IndexShard objects hold the workspace's chunks; 0: D1's own tables" }),
    generation: z.number().int(),
    moving_to: z.number().int().nullable().openapi({ description: 'While a move runs, the shard count it moves to; writes reach both' }),
  })
  .openapi('WorkspaceIndex')
const MoveBody = z.object({
  shards: z
    .number()
    .int()
    .min(0)
    .max(MAX_INDEX_SHARDS)
    .openapi({ description: 'The shard count to move to; 0 moves the index back into D1. Size shards by chunks (docs/scale.md): about 330,000 each.' }),
})

const view = (p: IndexPlacement) => ({
  object: 'workspace.index' as const,
  workspace: p.workspaceId,
  org_id: p.orgId,
  shards: p.shards,
  generation: p.generation,
  moving_to: p.next?.shards ?? null,
})

const routes = {
  get: createRoute({
    method: 'get',
    path: '/{workspace_id}/index',
    tags: ['Workspaces'],
    summary: "Where a workspace's index lives",
    description: "Its shard count and generation, and the move under way if any. A workspace's admins and the deployment admin may read it.",
    security: bearerSecurity,
    request: { params: Param, query: Query },
    responses: { 200: { description: 'The placement', content: { 'application/json': { schema: PlacementSchema } } }, ...errorResponses(401, 403, 404, 422) },
  }),
  move: createRoute({
    method: 'put',
    path: '/{workspace_id}/index',
    tags: ['Workspaces'],
    summary: "Move a workspace's index to another shard count",
    description:
      'Claims the move and queues the copy; answers 202 with `moving_to` set, and `GET` shows `moving_to: null` once it is done. The workspace answers from its current layout until the switch, and every write meanwhile reaches both. The deployment admin token only.',
    security: bearerSecurity,
    request: { params: Param, query: Query, body: { content: { 'application/json': { schema: MoveBody } }, required: true } },
    responses: {
      200: { description: 'Already there: nothing to move', content: { 'application/json': { schema: PlacementSchema } } },
      202: { description: 'The move is under way', content: { 'application/json': { schema: PlacementSchema } } },
      ...errorResponses(401, 403, 404, 409, 422),
    },
  }),
}

export function workspaceIndexRoutes(): App {
  const app = resourceApp()
  app.openapi(routes.get, async (c) => {
    const placement = await workspacePlacement(c.get('deps'), c.get('principal'), c.req.valid('param').workspace_id, c.req.valid('query').org)
    return c.json(view(placement), 200)
  })
  app.openapi(routes.move, async (c) => {
    const placement = await requestIndexMove(c.get('deps'), c.get('principal'), c.req.valid('param').workspace_id, c.req.valid('query').org, c.req.valid('json').shards)
    return c.json(view(placement), placement.next ? 202 : 200)
  })
  return app
}
