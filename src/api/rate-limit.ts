/**
 * @module The rate limits in front of every authenticated route: which budget a request spends
 * (tenancy/rate-limits.ts keeps the counting), and a 429 in OpenAI's shape with Retry-After when its
 * token or its org has used that budget up.
 */
import { createMiddleware } from 'hono/factory'
import { countRequest, refusalMessage, type RateBudget } from '../tenancy/rate-limits'
import { tooManyRequests } from './errors'
import type { AppContext } from './context'

export const limitRate = createMiddleware<AppContext>(async (c, next) => {
  // Public paths (health, the API's documentation, sign-in) name no one to count against.
  const principal = c.get('principal') as AppContext['Variables']['principal'] | undefined
  if (!principal) return next()
  const verdict = await countRequest(c.get('deps').rateLimits, principal, budgetOf(c.req.method, c.req.path))
  if (!verdict.allowed) throw tooManyRequests(refusalMessage(verdict), verdict.retryAfterSeconds)
  return next()
})

/**
 * Uploads, connecting a source and syncing one spend the ingest budget; every other request the API's.
 * @example budgetOf('POST', '/files') // 'ingest'
 */
export function budgetOf(method: string, path: string): RateBudget {
  if (method !== 'POST') return 'api'
  return path === '/files' || path === '/sources' || /^\/sources\/[^/]+\/sync$/.test(path) ? 'ingest' : 'api'
}
