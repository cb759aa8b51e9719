/**
 * @module Authentication: who is calling, as tenancy decides it from a bearer token (the deployment's
 * `ADMIN_TOKEN`, or a stored API token naming a user and their org) or, without one, from the assertion
 * Cloudflare Access adds to a request it let through (`Cf-Access-Jwt-Assertion`), when Access is set up.
 */
import { createMiddleware } from 'hono/factory'
import type { Context } from 'hono'
import { callerFor, type FileCaller } from '../files/access'
import { AccessSignInError } from '../tenancy/access-errors'
import { noteAccessSignIn } from '../tenancy/access-sessions'
import { signInWithAccess, type AccessSignIn } from '../tenancy/access-sso'
import { identify } from '../tenancy/tokens'
import type { UserPrincipal } from '../tenancy/principal'
import { forbidden, unauthorized } from './errors'
import type { AppContext } from './context'

export type { Principal, UserPrincipal } from '../tenancy/principal'

/** Paths anyone may call: readiness, the API's own documentation, and redeeming a one-time sign-in code (the code is the credential). */
const PUBLIC_PATHS = new Set(['/health', '/openapi.json', '/docs', '/sign-in'])

/** The header Cloudflare Access adds to every request it lets through to the Worker. */
export const ACCESS_ASSERTION_HEADER = 'Cf-Access-Jwt-Assertion'

/** A bearer token, when sent, decides; otherwise an Access assertion, where Access is set up. */
export const authenticate = createMiddleware<AppContext>(async (c, next) => {
  if (PUBLIC_PATHS.has(c.req.path) || c.req.method === 'OPTIONS') return next()
  const header = c.req.header('authorization')
  const assertion = c.req.header(ACCESS_ASSERTION_HEADER)
  if (!header && assertion) {
    const signIn = await signInThroughAccess(c, assertion)
    if (signIn) {
      await accessSignedIn(c, signIn)
      return next()
    }
  }
  if (!header) throw unauthorized('Missing bearer token. Send the header "Authorization: Bearer <token>".')
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>".')
  const { db, config } = c.get('deps')
  const principal = await identify(db, config.adminToken, match[1]!)
  if (!principal) throw unauthorized('The bearer token is not valid: it is unknown or has been revoked.')
  c.set('principal', principal)
  return next()
})

/** The Access sign-in an assertion makes; null when Access is off, so the header counts for nothing. */
async function signInThroughAccess(c: Context<AppContext>, assertion: string): Promise<AccessSignIn | null> {
  const { db, config, accessKeys } = c.get('deps')
  if (config.access && accessKeys) return signInWithAccess(db, config.access, accessKeys, assertion, config.indexShards)
  if (!config.accessProblem) return null
  // The operator asked for Access but a setting is wrong: say so to the person, and why only in the logs.
  console.warn(`Cloudflare Access sign-in is off: ${config.accessProblem}`)
  throw new AccessSignInError(
    'misconfigured',
    "This request came through Cloudflare Access, but this deployment's Access settings (ACCESS_TEAM_DOMAIN, ACCESS_AUD, ACCESS_ORG_RULES) are not valid, so Cairn cannot sign anyone in through Access. The Worker's logs say why; meanwhile, use an API token (Authorization: Bearer <token>).",
  )
}

/**
 * A request signed in through Access; the first of a new Access session records the sign-in in the
 * audit trail (tenancy/access-sessions.ts).
 */
async function accessSignedIn(c: Context<AppContext>, signIn: AccessSignIn): Promise<void> {
  c.set('principal', signIn.principal)
  await noteAccessSignIn(c.get('deps').db, signIn)
}

/** The signed-in user as the workspace domains (files, sources) see them. */
export function callerOf(c: Context<AppContext>): FileCaller {
  return callerFor(c.get('deps').db, requireUser(c))
}

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
