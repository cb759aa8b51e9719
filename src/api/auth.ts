/**
 * @module Bearer-token authentication: who is calling. The deployment's `ADMIN_TOKEN`
 * is the admin; any other token must hash to a stored API token, which names a user and their org.
 */
import { eq } from 'drizzle-orm'
import { createMiddleware } from 'hono/factory'
import type { Context } from 'hono'
import { apiTokens, users } from '../db/schema'
import { sha256Hex } from '../db/ids'
import { forbidden, unauthorized } from './errors'
import type { AppContext } from './context'

export type UserPrincipal = { kind: 'user'; userId: string; orgId: string; email: string; tokenId: string }
export type Principal = { kind: 'admin' } | UserPrincipal

/** Paths anyone may read: readiness and the API's own documentation. */
const PUBLIC_PATHS = new Set(['/health', '/openapi.json', '/docs'])

export const authenticate = createMiddleware<AppContext>(async (c, next) => {
  if (PUBLIC_PATHS.has(c.req.path) || c.req.method === 'OPTIONS') return next()
  const header = c.req.header('authorization')
  if (!header) throw unauthorized('Missing bearer token. Send the header "Authorization: Bearer <token>".')
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".')
  const token = match[1]!
  const { db, config } = c.get('deps')
  const hash = await sha256Hex(token)
  // Comparing hashes rather than the values keeps the comparison's timing independent of the secret.
  if (config.adminToken && hash === (await sha256Hex(config.adminToken))) {
    c.set('principal', { kind: 'admin' })
    return next()
  }
  const row = await db
    .select({ tokenId: apiTokens.id, userId: users.id, orgId: users.orgId, email: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, hash))
    .get()
  if (!row) throw unauthorized('The bearer token is not valid: it is unknown or has been revoked.')
  c.set('principal', { kind: 'user', ...row })
  return next()
})

/** The calling user; the admin token is refused, since it belongs to no org. */
export function requireUser(c: Context<AppContext>): UserPrincipal {
  const principal = c.get('principal')
  if (principal.kind !== 'user') {
    throw forbidden('The admin token manages users and tokens only. Use a user token (POST /users/{user_id}/tokens) for this route.')
  }
  return principal
}

export function requireAdmin(c: Context<AppContext>): void {
  if (c.get('principal').kind !== 'admin') throw forbidden('This route needs the deployment admin token (ADMIN_TOKEN).')
}
