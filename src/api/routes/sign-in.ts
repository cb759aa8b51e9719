/**
 * @module Signing in a browser over HTTP: `POST /sign-in-codes` makes a one-time code (and the console
 * link carrying it), `POST /sign-in` redeems it for a fresh token, `GET /users/me` says whom a token (or an Access sign-in) names.
 * The rules are tenancy's (tenancy/sign-in-codes.ts); this speaks HTTP only.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { issueSignInCode, redeemSignInCode, SIGN_IN_CODE_TTL_MS } from '../../tenancy/sign-in-codes'
import { currentUser } from '../../tenancy/users'
import { resourceApp } from '../resource-app'
import { bearerSecurity, errorResponses, isoDate } from '../schemas'
import type { App } from '../context'

const SignInCode = z
  .object({
    code: z.string(),
    expires_at: z.string(),
    url: z.string().openapi({ description: 'The console, signing in with this code when opened: `<origin>/#code=<code>`' }),
  })
  .openapi('SignInCode')
const Me = z
  .object({
    id: z.string(),
    email: z.string(),
    org_id: z.string(),
    created_at: z.string(),
    token: z
      .object({ id: z.string() })
      .nullable()
      .openapi({ description: 'The token this request was made with, so a client can revoke it to sign out; null when signed in through Cloudflare Access' }),
    signed_in_with: z.enum(['token', 'access']).openapi({ description: 'How this request was identified: an API token, or Cloudflare Access (sign out at `/cdn-cgi/access/logout`)' }),
  })
  .openapi('Me')

const createCodeRoute = createRoute({
  method: 'post',
  path: '/sign-in-codes',
  tags: ['Users'],
  summary: 'Make a one-time sign-in code for the console',
  description: `For the calling user. The code can be redeemed once, within ${SIGN_IN_CODE_TTL_MS / 60_000} minutes, at \`POST /sign-in\`; \`url\` opens the console with it. \`npm start\` prints one.`,
  security: bearerSecurity,
  responses: { 200: { description: 'The code', content: { 'application/json': { schema: SignInCode } } }, ...errorResponses(401, 403) },
})

const signInRoute = createRoute({
  method: 'post',
  path: '/sign-in',
  tags: ['Users'],
  summary: 'Redeem a sign-in code for a token',
  description: 'Needs no bearer token: the code is the credential, good once. The answer holds a new token (named "console sign-in"), shown only here; revoking it (`DELETE /tokens/{token_id}`) signs out.',
  request: { body: { required: true, content: { 'application/json': { schema: z.object({ code: z.string().min(1).max(200) }) } } } },
  responses: {
    200: {
      description: 'Signed in',
      content: {
        'application/json': {
          schema: z.object({ token: z.string(), token_id: z.string(), user: z.object({ id: z.string(), email: z.string(), org_id: z.string() }) }).openapi('SignedIn'),
        },
      },
    },
    ...errorResponses(422),
  },
})

const meRoute = createRoute({
  method: 'get',
  path: '/users/me',
  tags: ['Users'],
  summary: 'The user the bearer token (or the Cloudflare Access sign-in) names',
  security: bearerSecurity,
  responses: { 200: { description: 'The user', content: { 'application/json': { schema: Me } } }, ...errorResponses(401, 403) },
})

/** `/sign-in-codes`, `/sign-in` and `/users/me`. */
export function signInRoutes(): App {
  const app = resourceApp()
  app.openapi(createCodeRoute, async (c) => {
    const { code, expiresAt } = await issueSignInCode(c.get('deps').db, c.get('principal'))
    const url = `${new URL(c.req.url).origin}/#code=${encodeURIComponent(code)}`
    return c.json({ code, expires_at: isoDate(expiresAt), url }, 200)
  })
  app.openapi(signInRoute, async (c) => {
    const signedIn = await redeemSignInCode(c.get('deps').db, c.req.valid('json').code)
    const { user } = signedIn
    return c.json({ token: signedIn.token, token_id: signedIn.tokenInfo.id, user: { id: user.id, email: user.email, org_id: user.orgId } }, 200)
  })
  app.openapi(meRoute, async (c) => {
    const principal = c.get('principal')
    const user = await currentUser(c.get('deps').db, principal)
    const via = principal.kind === 'user' ? principal.via : 'token'
    const token = principal.kind === 'user' && via === 'token' ? { id: principal.tokenId } : null
    return c.json({ id: user.id, email: user.email, org_id: user.orgId, created_at: isoDate(user.createdAt), token, signed_in_with: via }, 200)
  })
  return app
}
