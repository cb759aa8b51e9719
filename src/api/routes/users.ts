/**
 * @module Users and their API tokens. The admin token creates users (and their org on
 * first use) and tokens for anyone; a user manages their own tokens. Token values are shown once.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { and, eq } from 'drizzle-orm'
import type { Context } from 'hono'
import { apiTokens, users } from '../../db/schema'
import { newId, newTokenValue, sha256Hex } from '../../db/ids'
import { findOrCreateOrg } from '../../tenancy/orgs'
import { requireAdmin } from '../auth'
import { conflict, forbidden, notFound } from '../errors'
import { bearerSecurity, errorResponses, isoDate, WORKSPACE_ID_PATTERN } from '../schemas'
import type { App, AppContext } from '../context'

const User = z
  .object({ id: z.string(), email: z.string(), org_id: z.string(), created_at: z.string() })
  .openapi('User')
const Token = z.object({ id: z.string(), name: z.string(), created_at: z.string() }).openapi('Token')
const NewToken = Token.extend({ token: z.string().openapi({ description: 'The token value. Shown only in this answer.' }) }).openapi('NewToken')
const UserIdParam = z.object({ user_id: z.string().min(1).max(100) })
const TokenIdParam = z.object({ token_id: z.string().min(1).max(100) })

const createUser = createRoute({
  method: 'post',
  path: '/users',
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

const createToken = createRoute({
  method: 'post',
  path: '/users/{user_id}/tokens',
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

const listTokens = createRoute({
  method: 'get',
  path: '/users/{user_id}/tokens',
  tags: ['Users'],
  summary: "List a user's tokens (without their values)",
  security: bearerSecurity,
  request: { params: UserIdParam },
  responses: {
    200: { description: 'The tokens', content: { 'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(Token) }) } } },
    ...errorResponses(401, 403, 404),
  },
})

const deleteToken = createRoute({
  method: 'delete',
  path: '/tokens/{token_id}',
  tags: ['Users'],
  summary: 'Revoke a token',
  security: bearerSecurity,
  request: { params: TokenIdParam },
  responses: {
    200: {
      description: 'Revoked',
      content: { 'application/json': { schema: z.object({ id: z.string(), object: z.literal('token'), deleted: z.literal(true) }) } },
    },
    ...errorResponses(401, 403, 404),
  },
})

/** The user, if the caller is the admin, the user themself; 403 for another user of the same org, 404 otherwise. */
async function authorizeUserAccess(c: Context<AppContext>, userId: string) {
  const { db } = c.get('deps')
  const principal = c.get('principal')
  const user = await db.select().from(users).where(eq(users.id, userId)).get()
  const visible = user && (principal.kind === 'admin' || principal.orgId === user.orgId)
  if (!visible) throw notFound(`No user "${userId}".`, 'user_id')
  if (principal.kind === 'user' && principal.userId !== user.id) {
    throw forbidden("Only the user themself or the admin token can manage a user's tokens.")
  }
  return user
}

const tokenView = (t: typeof apiTokens.$inferSelect) => ({ id: t.id, name: t.name, created_at: isoDate(t.createdAt) })

export function registerUserRoutes(app: App): void {
  app.openapi(createUser, async (c) => {
    requireAdmin(c)
    const { email, org: orgName } = c.req.valid('json')
    const { db } = c.get('deps')
    const normalized = email.toLowerCase()
    const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, normalized)).get()
    if (existing) throw conflict(`A user with email ${normalized} already exists (${existing.id}).`, 'user_exists', 'email')
    const org = await findOrCreateOrg(db, orgName)
    const user = { id: newId('user'), orgId: org.id, email: normalized, createdAt: Date.now() }
    const inserted = await db.insert(users).values(user).onConflictDoNothing().returning().get()
    if (!inserted) throw conflict(`A user with email ${normalized} already exists.`, 'user_exists', 'email')
    return c.json({ id: user.id, email: user.email, org_id: org.id, created_at: isoDate(user.createdAt) }, 200)
  })

  app.openapi(createToken, async (c) => {
    const { user_id } = c.req.valid('param')
    const user = await authorizeUserAccess(c, user_id)
    const body = c.req.valid('json') as { name?: string } | undefined
    const value = newTokenValue()
    const token = { id: newId('tok'), userId: user.id, name: body?.name ?? 'token', tokenHash: await sha256Hex(value), createdAt: Date.now() }
    await c.get('deps').db.insert(apiTokens).values(token)
    return c.json({ ...tokenView(token), token: value }, 200)
  })

  app.openapi(listTokens, async (c) => {
    const { user_id } = c.req.valid('param')
    const user = await authorizeUserAccess(c, user_id)
    const rows = await c.get('deps').db.select().from(apiTokens).where(eq(apiTokens.userId, user.id)).orderBy(apiTokens.createdAt).all()
    return c.json({ object: 'list' as const, data: rows.map(tokenView) }, 200)
  })

  app.openapi(deleteToken, async (c) => {
    const { token_id } = c.req.valid('param')
    const { db } = c.get('deps')
    const token = await db.select({ id: apiTokens.id, userId: apiTokens.userId }).from(apiTokens).where(eq(apiTokens.id, token_id)).get()
    if (!token) throw notFound(`No token "${token_id}".`, 'token_id')
    await authorizeUserAccess(c, token.userId).catch((err: unknown) => {
      // Someone else's token in another org must look exactly like a missing one.
      if (err instanceof Error && 'status' in err && err.status === 404) throw notFound(`No token "${token_id}".`, 'token_id')
      throw err
    })
    await db.delete(apiTokens).where(and(eq(apiTokens.id, token.id), eq(apiTokens.userId, token.userId)))
    return c.json({ id: token.id, object: 'token' as const, deleted: true as const }, 200)
  })
}
