/**
 * @module The Tokens API over HTTP: `DELETE /tokens/{token_id}` revokes a token at once.
 * Whose tokens the caller may revoke is tenancy's rule; another org's token looks missing.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { revokeToken } from '../../tenancy/tokens'
import { resourceApp } from '../resource-app'
import { bearerSecurity, errorResponses } from '../schemas'
import type { App } from '../context'

// The path is relative to where the app mounts these routes: `/tokens`.
const deleteTokenRoute = createRoute({
  method: 'delete',
  path: '/{token_id}',
  tags: ['Users'],
  summary: 'Revoke a token',
  security: bearerSecurity,
  request: { params: z.object({ token_id: z.string().min(1).max(100) }) },
  responses: {
    200: {
      description: 'Revoked',
      content: { 'application/json': { schema: z.object({ id: z.string(), object: z.literal('token'), deleted: z.literal(true) }) } },
    },
    ...errorResponses(401, 403, 404),
  },
})

/** The routes under `/tokens`. */
export function tokenRoutes(): App {
  const app = resourceApp()
  app.openapi(deleteTokenRoute, async (c) => {
    const id = await revokeToken(c.get('deps').db, c.get('principal'), c.req.valid('param').token_id)
    return c.json({ id, object: 'token' as const, deleted: true as const }, 200)
  })
  return app
}
