/**
 * @module The keys Cloudflare Access signs assertions with: the team's JWKS, fetched through the `fetch`
 * port, kept for an hour, and fetched again early when an assertion names a key it does not hold (Access
 * rotates its keys) — but at most once per short interval, so a flood of made-up key ids cannot hammer
 * the team's endpoint.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWSHeaderParameters, type LocalJWKSet } from 'jose'
import { AccessSignInError } from './access-errors'

/** Resolves the key an assertion's header names, as `jwtVerify` asks for it. */
export type AccessKeys = { keyFor(header: JWSHeaderParameters): Promise<CryptoKey> }

export type AccessKeyOptions = {
  /** How long a fetched key set is used before it is fetched again (default one hour). */
  maxAgeMs?: number
  /** The shortest time between two fetches, whatever asks for them (default 10 s). */
  minRefetchMs?: number
  now?: () => number
}

const HOUR_MS = 60 * 60 * 1000
const DEFAULT_MIN_REFETCH_MS = 10_000
/** A request waiting on the keys waits no longer than this for the team domain to answer. */
const FETCH_TIMEOUT_MS = 5_000

type Held = { resolve: LocalJWKSet; kids: ReadonlySet<string | undefined>; fetchedAt: number }

/**
 * The key set published at `certsUrl`. One per isolate (deps.ts builds it once), so every request of an
 * isolate shares one cache.
 * @example const keys = accessKeySet('https://acme.cloudflareaccess.com/cdn-cgi/access/certs', fetch)
 */
export function accessKeySet(certsUrl: string, fetchPort: typeof fetch, options: AccessKeyOptions = {}): AccessKeys {
  const maxAgeMs = options.maxAgeMs ?? HOUR_MS
  const minRefetchMs = options.minRefetchMs ?? DEFAULT_MIN_REFETCH_MS
  const now = options.now ?? Date.now
  let held: Held | null = null
  let lastAttempt = -Infinity
  let inFlight: Promise<void> | null = null

  async function load(): Promise<void> {
    lastAttempt = now()
    const unavailable = (why: string) => new AccessSignInError('keys_unavailable', `Cairn could not get Cloudflare Access's signing keys (${why}). Try again in a moment.`)
    let res: Response
    try {
      res = await fetchPort(certsUrl, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) })
    } catch {
      throw unavailable(`the team domain did not answer within ${FETCH_TIMEOUT_MS / 1000} s`)
    }
    if (!res.ok) throw unavailable(`the team domain answered ${res.status}`)
    const body = (await res.json().catch(() => null)) as JSONWebKeySet | null
    let resolve: LocalJWKSet
    try {
      resolve = createLocalJWKSet(body as JSONWebKeySet)
    } catch {
      throw unavailable('the team domain answered something that is not a key set')
    }
    held = { resolve, kids: new Set(body!.keys.map((k) => k.kid)), fetchedAt: now() }
  }

  /** One fetch at a time: concurrent requests that need the keys wait for the same one. */
  function refresh(): Promise<void> {
    inFlight ??= load().finally(() => {
      inFlight = null
    })
    return inFlight
  }

  return {
    async keyFor(header) {
      if (inFlight) await inFlight.catch(() => {})
      const stale = !held || now() - held.fetchedAt >= maxAgeMs
      const unknownKid = held !== null && !held.kids.has(header.kid)
      if ((stale || unknownKid) && now() - lastAttempt >= minRefetchMs) {
        // Keys fetched before still verify while the endpoint is down; only having none at all fails.
        await refresh().catch((err: unknown) => {
          if (!held) throw err
        })
      }
      if (!held) throw new AccessSignInError('keys_unavailable', "Cairn could not get Cloudflare Access's signing keys. Try again in a moment.")
      return held.resolve(header)
    },
  }
}
