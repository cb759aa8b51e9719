/**
 * @module Rate limits: how many requests a token and an org may make per period, in two budgets —
 * `ingest` (uploads, connecting and syncing sources) and `api` (everything else, questions first) — so
 * a bulk upload or a runaway script cannot use up what everyone else's questions need. Counting is
 * Cloudflare's Rate Limiting binding (locally, the runtime's in-memory version of it), one binding
 * per budget and scope, each with its own limit in wrangler.toml.
 */
import type { Principal } from './principal'

/** A Rate Limiting binding, as far as Cairn uses it. */
export type RateCounter = { limit(options: { key: string }): Promise<{ success: boolean }> }

export type RateBudget = 'api' | 'ingest'
export type RateScope = 'token' | 'org'

export type RateLimits = {
  /** The counters by budget and scope; a missing one does not limit. */
  counters: Record<RateBudget, Partial<Record<RateScope, RateCounter>>>
  /** The period the counters are configured with, which a refusal's Retry-After reports. */
  periodSeconds: number
}

export type RateVerdict = { allowed: true } | { allowed: false; budget: RateBudget; scope: RateScope; retryAfterSeconds: number }

/**
 * Counts one request of `principal` against `budget`, for its token and then its org, and says whether
 * it may go on. A request refused for its token does not count against its org, so one runaway token
 * uses up its own budget and not its colleagues'. The admin token counts as one token of no org.
 */
export async function countRequest(limits: RateLimits, principal: Principal, budget: RateBudget): Promise<RateVerdict> {
  const counters = limits.counters[budget]
  const keys: Array<[RateScope, string]> = principal.kind === 'user' ? [['token', principal.tokenId], ['org', principal.orgId]] : [['token', 'admin']]
  for (const [scope, key] of keys) {
    const counter = counters[scope]
    if (counter && !(await counter.limit({ key: `${budget}:${key}` })).success) {
      return { allowed: false, budget, scope, retryAfterSeconds: limits.periodSeconds }
    }
  }
  return { allowed: true }
}

/** What a refusal tells the caller: which budget, whose, and when to try again. */
export function refusalMessage(verdict: Extract<RateVerdict, { allowed: false }>): string {
  const whose = verdict.scope === 'token' ? 'this token' : "your organization's tokens together"
  const what = verdict.budget === 'ingest' ? 'uploads and source syncs' : 'requests'
  return `Rate limit reached: ${whose} made more ${what} than allowed in ${verdict.retryAfterSeconds} seconds. Try again after ${verdict.retryAfterSeconds} seconds (Retry-After).`
}
