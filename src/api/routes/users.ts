/**
 * @module The Users API over HTTP: `/users` and a user's tokens. The admin token creates users;
 * who may manage which tokens is tenancy's rule. Token values are shown once, in the answer that makes them.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { issueToken, listTokens, type TokenInfo } from '../../tenancy/tokens'
import { createUser } from '../../tenancy/users'
import { requireAdmin } from '../auth'
import { resourceApp } from '../resource-app'
import { bearerSecurity, errorResponses, isoDate, WORKSPACE_ID_PATTERN } from '../schemas'
import type { App } from '../context'

const User = z
  .object({ id: z.string(), email: z.string(), org_id: z.string(), created_at: z.string() })
  .openapi('User')
const Token = z.object({ id: z.string(), name: z.string(), created_at: z.string() }).openapi('Token')
const NewToken = Token.extend({ token: z.string().openapi({ description: 'The token value. Shown only in this answer.' }) }).openapi('NewToken')
const UserIdParam = z.object({ user_id: z.string().min(1).max(100) })

// Paths are relative to where the app mounts these routes: `/users`.
const createUserRoute = createRoute({
  method: 'post',
  path: '/',
  tags: ['Users'],
  summary: 'Create a user (admin token)',
  description: 'Creates a user in the named org; the org, with its `default` workspace, is created if it is new.',
  security: bearerSecurity,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.object({
            email: z.email('must be an email address').max(254),
            org: z
              .string()
              .max(64)
              .regex(WORKSPACE_ID_PATTERN, 'must be a slug: lowercase letters and digits joined by single "-" or "_"'),
          }),
        },
      },
    },
  },
  responses: { 200: { description: 'The user', content: { 'application/json': { schema: User } } }, ...errorResponses(401, 403, 409, 422) },
})

const createTokenRoute = createRoute({
  method: 'post',
  path: '/{user_id}/tokens',
  tags: ['Users'],
  summary: 'Create an API token for a user',
  description: 'The admin token may create tokens for anyone; a user for themselves. The value is shown only here.',
  security: bearerSecurity,
  request: {
    params: UserIdParam,
    body: {
      required: false,
      content: { 'application/json': { schema: z.object({ name: z.string().min(1).max(100).default('token') }) } },
    },
  },
  responses: { 200: { description: 'The new token', content: { 'application/json': { schema: NewToken } } }, ...errorResponses(401, 403, 404, 422) },
})

const listTokensRoute = createRoute({
  method: 'get',
  path: '/{user_id}/tokens',
  tags: ['Users'],
  summary: "List a user's tokens (without their values)",
  security: bearerSecurity,
  request: { params: UserIdParam },
  responses: {
    200: { description: 'The tokens', content: { 'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(Token) }) } } },
    ...errorResponses(401, 403, 404),
  },
})

const tokenView = (t: TokenInfo) => ({ id: t.id, name: t.name, created_at: isoDate(t.createdAt) })

/** The routes under `/users`. */
export function userRoutes(): App {
  const app = resourceApp()
  app.openapi(createUserRoute, async (c) => {
    requireAdmin(c)
    const user = await createUser(c.get('deps').db, { ...c.req.valid('json'), indexShards: c.get('deps').config.indexShards })
    return c.json({ id: user.id, email: user.email, org_id: user.orgId, created_at: isoDate(user.createdAt) }, 200)
  })
  app.openapi(createTokenRoute, async (c) => {
    const { user_id } = c.req.valid('param')
    // The body is optional, so it may not be there at all.
    const body = c.req.valid('json') as { name?: string } | undefined
    const { token, ...info } = await issueToken(c.get('deps').db, c.get('principal'), user_id, body?.name)
    return c.json({ ...tokenView(info), token }, 200)
  })
  app.openapi(listTokensRoute, async (c) => {
    const tokens = await listTokens(c.get('deps').db, c.get('principal'), c.req.valid('param').user_id)
    return c.json({ object: 'list' as const, data: tokens.map(tokenView) }, 200)
  })
  return app
}
