/**
 * @module Bearer-token authentication: who is calling, as tenancy decides it from the token
 * (the deployment's `ADMIN_TOKEN`, or a stored API token naming a user and their org).
 */
import { createMiddleware } from 'hono/factory'
import type { Context } from 'hono'
import { callerFor, type FileCaller } from '../files/access'
import { identify } from '../tenancy/tokens'
import type { UserPrincipal } from '../tenancy/principal'
import { forbidden, unauthorized } from './errors'
import type { AppContext } from './context'

export type { Principal, UserPrincipal } from '../tenancy/principal'

/** Paths anyone may call: readiness, the API's own documentation, and redeeming a one-time sign-in code (the code is the credential). */
const PUBLIC_PATHS = new Set(['/health', '/openapi.json', '/docs', '/sign-in'])

export const authenticate = createMiddleware<AppContext>(async (c, next) => {
  if (PUBLIC_PATHS.has(c.req.path) || c.req.method === 'OPTIONS') return next()
  const header = c.req.header('authorization')
  if (!header) throw unauthorized('Missing bearer token. Send the header "Authorization: Bearer <token>".')
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".')
  const { db, config } = c.get('deps')
  const principal = await identify(db, config.adminToken, match[1]!)
  if (!principal) throw unauthorized('The bearer token is not valid: it is unknown or has been revoked.')
  c.set('principal', principal)
  return next()
})

/** The calling user; the admin token is refused, since it belongs to no org. */
/** The signed-in user as the workspace domains (files, sources) see them. */
export function callerOf(c: Context<AppContext>): FileCaller {
  return callerFor(c.get('deps').db, requireUser(c))
}

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
