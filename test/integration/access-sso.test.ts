/**
 * Single sign-on through Cloudflare Access, through the real app on real D1: assertions signed here with
 * RSA keys made here, the team's JWKS served by a fake `fetch` handed to the key set, as Access's edge
 * would send them. Valid, expired, for another application, from another team, signed by another key,
 * for an unknown email; first sign-in provisioning by org rule; key rotation with the fetches counted;
 * bearer tokens beside Access; the header ignored where Access is off.
 */
import { env } from 'cloudflare:test'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app'
import type { AppEnv } from '../../src/config'
import { buildDeps, type Deps } from '../../src/deps'
import { accessKeySet, type AccessKeys } from '../../src/tenancy/access-keys'
import { signInWithAccess } from '../../src/tenancy/access-sso'
import type { RateCounter } from '../../src/tenancy/rate-limits'
import { call, callJson, createPerson, unique } from './api-client'

const TEAM = 'https://cairn-test.cloudflareaccess.com'
const CERTS = `${TEAM}/cdn-cgi/access/certs`
const AUD = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90'
/** A domain and an org of this file's own: emails name one user in the whole shared database. */
const DOMAIN = `${unique('corp')}.example`
const ORG = unique('acme')

const accessEnv = {
  ...env,
  ACCESS_TEAM_DOMAIN: `${TEAM}/`,
  ACCESS_AUD: `another-application, ${AUD}`,
  ACCESS_ORG_RULES: `${DOMAIN}=${ORG}`,
} as unknown as AppEnv

type SigningKey = { kid: string; privateKey: CryptoKey; publicJwk: JWK }

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } }
}

/** The team's certs endpoint as a `fetch`: what it publishes can change (rotation), and every request is counted. */
function teamCerts(published: SigningKey[], status = 200) {
  const state = { published, status, fetches: 0 }
  const fetch: typeof globalThis.fetch = async (input) => {
    const url = input instanceof Request ? input.url : String(input)
    if (url !== CERTS) return new Response('not here', { status: 404 })
    state.fetches += 1
    // Status 0: the team domain cannot be reached at all.
    if (state.status === 0) throw new TypeError('fetch failed')
    if (state.status !== 200) return new Response('down', { status: state.status })
    return Response.json({ keys: state.published.map((k) => k.publicJwk), public_cert: { kid: 'x', cert: '' }, public_certs: [] })
  }
  return Object.assign(state, { fetch })
}

type Claims = { email?: string; aud?: string | string[]; iss?: string; expiresIn?: string | number; kid?: string; issuedAt?: number; [claim: string]: unknown }

/** An assertion as Access signs it: RS256, the key's kid, the team as issuer, the application's audience, 24 h. */
async function assertion(key: SigningKey, claims: Claims = {}): Promise<string> {
  const { aud = [AUD], iss = TEAM, expiresIn = '24h', kid = key.kid, issuedAt, ...rest } = claims
  const jwt = new SignJWT({ type: 'app', identity_nonce: 'n', country: 'NL', ...rest })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(iss)
    .setAudience(aud)
    .setSubject(crypto.randomUUID())
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt ?? Math.floor(Date.now() / 1000))
    .setExpirationTime(expiresIn)
  return jwt.sign(key.privateKey)
}

/** The app on `accessEnv`'s deps, with `keys` in place of the key set deps.ts builds (which fetches from the network). */
function appWith(keys: AccessKeys, overrides: Partial<Deps> = {}) {
  const deps: Deps = { ...buildDeps(accessEnv), accessKeys: keys, ...overrides }
  return createApp(() => deps)
}

/** A key set over `certs`, on a clock the test moves. */
function keysOn(certs: ReturnType<typeof teamCerts>, clock = { now: 0 }) {
  return accessKeySet(buildDeps(accessEnv).config.access!.certsUrl, certs.fetch, { now: () => clock.now })
}

async function asAccess(app: ReturnType<typeof createApp>, jwt: string, path = '/users/me', headers: Record<string, string> = {}) {
  const res = await app.request(path, { headers: { 'cf-access-jwt-assertion': jwt, ...headers } }, accessEnv)
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }
}

const personAt = (domain = DOMAIN) => `${unique('person')}@${domain}`

describe('signing in through Cloudflare Access', () => {
  it('a valid assertion for an existing user (of any org) is that user, with no token', async () => {
    const key = await signingKey('k1')
    const app = appWith(keysOn(teamCerts([key])))
    const ada = await createPerson(unique('other-org'))
    const me = await asAccess(app, await assertion(key, { email: ada.email.toUpperCase() }))
    expect(me.status, JSON.stringify(me.body)).toBe(200)
    expect(me.body).toMatchObject({ id: ada.id, email: ada.email, org_id: ada.orgId, token: null, signed_in_with: 'access' })
    // The user's own data routes answer too: their org's `default` workspace.
    const workspaces = await asAccess(app, await assertion(key, { email: ada.email }), '/workspaces')
    expect(workspaces.body.data.map((w: { id: string }) => w.id)).toContain('default')
  })

  it('provisions a new email into the org its domain rule names, once, with its default workspace', async () => {
    const key = await signingKey('k1')
    const app = appWith(keysOn(teamCerts([key])))
    const email = personAt()
    const first = await asAccess(app, await assertion(key, { email }))
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    const org = await env.DB.prepare('SELECT name FROM orgs WHERE id = ?').bind(first.body.org_id).first<{ name: string }>()
    expect(org?.name).toBe(ORG)
    const again = await asAccess(app, await assertion(key, { email }))
    expect(again.body.id).toBe(first.body.id)
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?').bind(email).first<{ n: number }>()
    expect(rows?.n).toBe(1)
    const workspaces = await asAccess(app, await assertion(key, { email }), '/workspaces')
    expect(workspaces.body.data.map((w: { id: string }) => w.id)).toEqual(['default'])
  })

  it('tells an audit trail whether the sign-in provisioned the user, and when Access issued the assertion', async () => {
    const key = await signingKey('k1')
    const keys = keysOn(teamCerts([key]))
    const { db, config } = buildDeps(accessEnv)
    const email = personAt()
    const issuedAt = Math.floor(Date.now() / 1000) - 60
    const first = await signInWithAccess(db, config.access!, keys, await assertion(key, { email, issuedAt }))
    expect(first).toMatchObject({ provisioned: true, issuedAt: issuedAt * 1000, principal: { email, via: 'access', tokenId: `access:${first.principal.userId}` } })
    const second = await signInWithAccess(db, config.access!, keys, await assertion(key, { email }))
    expect(second.provisioned).toBe(false)
    expect(second.principal.userId).toBe(first.principal.userId)
  })

  it('records a sign-in in the audit trail once per Access session, and the provisioning', async () => {
    const key = await signingKey('k1')
    const app = appWith(keysOn(teamCerts([key])))
    const email = personAt()
    const session = Math.floor(Date.now() / 1000) - 120
    // Every request of one session carries an assertion with the same iat; three requests, one sign-in.
    for (let i = 0; i < 3; i++) expect((await asAccess(app, await assertion(key, { email, issuedAt: session }))).status).toBe(200)
    const me = (await asAccess(app, await assertion(key, { email, issuedAt: session }))).body
    const signIns = async () => (await callJson('GET', `/v1/audit?org=${me.org_id}&actor=${me.id}&action=user.signed_in`, { token: env.ADMIN_TOKEN })).data
    expect(await signIns()).toEqual([
      expect.objectContaining({ target: me.id, actor: expect.objectContaining({ kind: 'user', id: me.id, email }), details: { method: 'cloudflare_access', provisioned: true, session_began_at: new Date(session * 1000).toISOString() } }),
    ])
    const [created] = (await callJson('GET', `/v1/audit?org=${me.org_id}&target=${me.id}&action=user.created`, { token: env.ADMIN_TOKEN })).data
    expect(created).toMatchObject({ actor: { kind: 'system', id: 'cloudflare_access' }, details: { email, how: 'single_sign_on' } })
    // A new session (a later iat) is a new sign-in; an older assertion replayed is not.
    await asAccess(app, await assertion(key, { email, issuedAt: session + 60 }))
    await asAccess(app, await assertion(key, { email, issuedAt: session - 60 }))
    const after = await signIns()
    expect(after).toHaveLength(2)
    expect(after[0].details).toMatchObject({ provisioned: false, session_began_at: new Date((session + 60) * 1000).toISOString() })
  })

  it('refuses an expired assertion with 401, saying it expired', async () => {
    const key = await signingKey('k1')
    const app = appWith(keysOn(teamCerts([key])))
    const ada = await createPerson(unique('org'))
    const hourAgo = Math.floor(Date.now() / 1000) - 3600
    const res = await asAccess(app, await assertion(key, { email: ada.email, issuedAt: hourAgo - 60, expiresIn: hourAgo }))
    expect(res.status).toBe(401)
    expect(res.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_access_assertion', param: null })
    expect(res.body.error.message).toMatch(/has expired/)
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/)
  })

  it('refuses an assertion for another Access application, or from another team, with 401', async () => {
    const key = await signingKey('k1')
    const app = appWith(keysOn(teamCerts([key])))
    const ada = await createPerson(unique('org'))
    const otherApp = await asAccess(app, await assertion(key, { email: ada.email, aud: ['f'.repeat(64)] }))
    expect(otherApp.status).toBe(401)
    expect(otherApp.body.error.message).toMatch(/another Access application/)
    const otherTeam = await asAccess(app, await assertion(key, { email: ada.email, iss: 'https://evil.cloudflareaccess.com' }))
    expect(otherTeam.status).toBe(401)
    expect(otherTeam.body.error.message).toMatch(/another Access team/)
    // Either of the configured audiences will do.
    expect((await asAccess(app, await assertion(key, { email: ada.email, aud: 'another-application' }))).status).toBe(200)
  })

  it('refuses an assertion signed by another key under the published kid, or not with RS256, with 401', async () => {
    const published = await signingKey('k1')
    const impostor = await signingKey('k1')
    const app = appWith(keysOn(teamCerts([published])))
    const ada = await createPerson(unique('org'))
    const forged = await asAccess(app, await assertion(impostor, { email: ada.email }))
    expect(forged.status).toBe(401)
    expect(forged.body.error.message).toMatch(/not signed by the Access team's keys/)
    const hmac = await new SignJWT({ email: ada.email }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).setIssuer(TEAM).setAudience(AUD).setExpirationTime('1h').sign(new Uint8Array(32))
    const wrongAlg = await asAccess(app, hmac)
    expect(wrongAlg.status).toBe(401)
    expect(wrongAlg.body.error.message).toMatch(/RS256/)
    const garbage = await asAccess(app, 'not.a.jwt')
    expect(garbage.status).toBe(401)
    expect(garbage.body.error.message).toMatch(/not a well-formed/)
  })

  it('refuses with 403 a valid assertion for an email no user has and no rule covers', async () => {
    const key = await signingKey('k1')
    const app = appWith(keysOn(teamCerts([key])))
    const stranger = personAt('elsewhere.example')
    const res = await asAccess(app, await assertion(key, { email: stranger }))
    expect(res.status).toBe(403)
    expect(res.body.error).toMatchObject({ type: 'permission_error', code: 'access_user_not_provisioned' })
    expect(res.body.error.message).toContain(`${stranger} signed in through Cloudflare Access, but is not a Cairn user`)
    const users = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE email = ?').bind(stranger).first<{ n: number }>()
    expect(users?.n).toBe(0)
    // A service token's assertion names a client, not a person.
    const service = await asAccess(app, await assertion(key, { common_name: 'abc.access' }))
    expect(service.status).toBe(403)
    expect(service.body.error.message).toMatch(/service token/)
  })

  it("follows key rotation with one fetch, caches keys, and fetches at most once per interval whatever kid is asked", async () => {
    const oldKey = await signingKey('old')
    const newKey = await signingKey('new')
    const certs = teamCerts([oldKey])
    const clock = { now: 1_000_000 }
    const app = appWith(keysOn(certs, clock))
    const ada = await createPerson(unique('org'))

    expect((await asAccess(app, await assertion(oldKey, { email: ada.email }))).status).toBe(200)
    expect((await asAccess(app, await assertion(oldKey, { email: ada.email }))).status).toBe(200)
    expect(certs.fetches).toBe(1)

    // Access rotates: the set now holds only the new key. Within the interval, the new kid waits.
    certs.published = [newKey]
    clock.now += 2_000
    expect((await asAccess(app, await assertion(newKey, { email: ada.email }))).status).toBe(401)
    expect(certs.fetches).toBe(1)
    clock.now += 10_000
    expect((await asAccess(app, await assertion(newKey, { email: ada.email }))).status).toBe(200)
    expect(certs.fetches).toBe(2)
    expect((await asAccess(app, await assertion(newKey, { email: ada.email }))).status).toBe(200)
    expect(certs.fetches).toBe(2)

    // A flood of made-up kids costs at most one fetch per interval.
    for (let i = 0; i < 5; i++) expect((await asAccess(app, await assertion(newKey, { email: ada.email, kid: `made-up-${i}` }))).status).toBe(401)
    expect(certs.fetches).toBe(2)
    clock.now += 10_000
    for (let i = 0; i < 5; i++) expect((await asAccess(app, await assertion(newKey, { email: ada.email, kid: `made-up-${i}` }))).status).toBe(401)
    expect(certs.fetches).toBe(3)

    // After an hour the set is fetched again even for a known kid.
    clock.now += 60 * 60 * 1000
    expect((await asAccess(app, await assertion(newKey, { email: ada.email }))).status).toBe(200)
    expect(certs.fetches).toBe(4)
  })

  it('answers 503 when the keys cannot be fetched, and keeps using the keys it has when a refetch fails', async () => {
    const key = await signingKey('k1')
    const certs = teamCerts([key], 502)
    const clock = { now: 0 }
    const app = appWith(keysOn(certs, clock))
    const ada = await createPerson(unique('org'))
    const down = await asAccess(app, await assertion(key, { email: ada.email }))
    expect(down.status).toBe(503)
    expect(down.body.error).toMatchObject({ type: 'server_error', code: 'access_keys_unavailable' })
    expect(down.body.error.message).toMatch(/answered 502/)
    certs.status = 0
    clock.now += 10_000
    const unreachable = await asAccess(app, await assertion(key, { email: ada.email }))
    expect(unreachable.status).toBe(503)
    expect(unreachable.body.error.message).toMatch(/did not answer/)
    certs.status = 200
    clock.now += 10_000
    expect((await asAccess(app, await assertion(key, { email: ada.email }))).status).toBe(200)
    certs.status = 500
    clock.now += 2 * 60 * 60 * 1000
    expect((await asAccess(app, await assertion(key, { email: ada.email }))).status).toBe(200)
    expect(certs.fetches).toBe(4)
  })

  it('lets a bearer token decide whenever one is sent, Access on or not', async () => {
    const key = await signingKey('k1')
    const app = appWith(keysOn(teamCerts([key])))
    const ada = await createPerson(unique('org'))
    const bob = await createPerson(unique('org'))
    const bearer = await app.request('/users/me', { headers: { authorization: `Bearer ${ada.token}` } }, accessEnv)
    expect(await bearer.json()).toMatchObject({ id: ada.id, signed_in_with: 'token', token: { id: expect.stringMatching(/^tok/) } })
    const both = await asAccess(app, await assertion(key, { email: bob.email }), '/users/me', { authorization: `Bearer ${ada.token}` })
    expect(both.body.id).toBe(ada.id)
    const badBearer = await asAccess(app, await assertion(key, { email: bob.email }), '/users/me', { authorization: 'Bearer cairn_revoked' })
    expect(badBearer.status).toBe(401)
    expect(badBearer.body.error.code).toBe('invalid_api_key')
  })

  it('counts an Access user against a token budget of their own, and their org', async () => {
    const key = await signingKey('k1')
    const counted: string[] = []
    const counter: RateCounter = { limit: async ({ key }) => (counted.push(key), { success: true }) }
    const app = appWith(keysOn(teamCerts([key])), { rateLimits: { counters: { api: { token: counter, org: counter }, ingest: {} }, periodSeconds: 60 } })
    const ada = await createPerson(unique('org'))
    await asAccess(app, await assertion(key, { email: ada.email }))
    expect(counted).toEqual([`api:access:${ada.id}`, `api:${ada.orgId}`])
  })

  it('ignores the header where Access is off, and says so where its settings are wrong', async () => {
    const key = await signingKey('k1')
    const ada = await createPerson(unique('org'))
    const jwt = await assertion(key, { email: ada.email })
    const off = await call('GET', '/users/me', { headers: { 'cf-access-jwt-assertion': jwt } })
    expect(off.status).toBe(401)
    expect(((await off.json()) as any).error.code).toBe('invalid_api_key')

    const halfSet = { ...env, ACCESS_TEAM_DOMAIN: TEAM } as unknown as AppEnv
    const wrong = await createApp(buildDeps).request('/users/me', { headers: { 'cf-access-jwt-assertion': jwt } }, halfSet)
    expect(wrong.status).toBe(503)
    const body = (await wrong.json()) as any
    expect(body.error.code).toBe('access_not_configured')
    expect(body.error.message).not.toContain(TEAM)
    // Bearer tokens work as ever on such a deployment.
    expect((await createApp(buildDeps).request('/users/me', { headers: { authorization: `Bearer ${ada.token}` } }, halfSet)).status).toBe(200)
  })

  it('documents the Access header as a second way to authenticate', async () => {
    const doc = await callJson('GET', '/openapi.json')
    expect(doc.components.securitySchemes.cloudflareAccess).toMatchObject({ type: 'apiKey', in: 'header', name: 'Cf-Access-Jwt-Assertion' })
    expect(doc.paths['/users/me'].get.security).toEqual([{ bearerAuth: [] }, { cloudflareAccess: [] }])
    expect(Object.keys(doc.paths['/users/me'].get.responses)).toEqual(expect.arrayContaining(['401', '403']))
  })
})
