/**
 * Signing a browser in: a user's one-time code becomes a fresh token exactly once, within its time;
 * the admin token gets no code; `/users/me` names the token's user and the token itself.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { SIGN_IN_CODE_TTL_MS } from '../../src/tenancy/sign-in-codes'
import { ADMIN, call, callJson, createPerson, unique } from './api-client'

const redeem = (code: string) => call('POST', '/v1/sign-in', { body: { code } })

describe('one-time sign-in codes', () => {
  it('a code becomes a new token of the same user, once; the link opens the console with it', async () => {
    const ada = await createPerson(unique('org'))
    const made = await callJson('POST', '/v1/sign-in-codes', { token: ada.token })
    expect(made.code).toMatch(/^signin_/)
    expect(made.url).toBe(`http://cairn.test/#code=${made.code}`)
    expect(Date.parse(made.expires_at) - Date.now()).toBeGreaterThan(SIGN_IN_CODE_TTL_MS - 60_000)

    const first = await redeem(made.code)
    expect(first.status).toBe(200)
    const signedIn = (await first.json()) as { token: string; token_id: string; user: { id: string } }
    expect(signedIn.user.id).toBe(ada.id)
    expect(signedIn.token).not.toBe(ada.token)
    const me = await callJson('GET', '/v1/users/me', { token: signedIn.token })
    expect(me).toMatchObject({ id: ada.id, email: ada.email, token: { id: signedIn.token_id } })

    const again = await redeem(made.code)
    expect(again.status).toBe(422)
    expect(((await again.json()) as any).error).toMatchObject({ param: 'code', code: 'invalid_sign_in_code' })
  })

  it('an expired code is refused like an unknown one, and only its hash is stored', async () => {
    const bob = await createPerson(unique('org'))
    const { code } = await callJson('POST', '/sign-in-codes', { token: bob.token })
    const stored = await env.DB.prepare('SELECT code_hash FROM sign_in_codes WHERE user_id = ?').bind(bob.id).all<{ code_hash: string }>()
    expect(stored.results).toHaveLength(1)
    expect(stored.results[0]!.code_hash).not.toContain(code)
    await env.DB.prepare('UPDATE sign_in_codes SET expires_at = ? WHERE user_id = ?').bind(Date.now() - 1, bob.id).run()
    const expired = await redeem(code)
    expect(expired.status).toBe(422)
    const unknown = await redeem('signin_nothing')
    expect(((await unknown.json()) as any).error.message).toBe(((await expired.json()) as any).error.message)
  })

  it('the admin token gets no code and no "me"; a request without a token gets no code', async () => {
    expect((await call('POST', '/sign-in-codes', { token: ADMIN })).status).toBe(403)
    expect((await call('GET', '/users/me', { token: ADMIN })).status).toBe(403)
    expect((await call('POST', '/sign-in-codes')).status).toBe(401)
  })

  it('revoking the signed-in token ends the session', async () => {
    const cy = await createPerson(unique('org'))
    const { code } = await callJson('POST', '/sign-in-codes', { token: cy.token })
    const { token, token_id } = (await (await redeem(code)).json()) as { token: string; token_id: string }
    await callJson('DELETE', `/tokens/${token_id}`, { token })
    expect((await call('GET', '/users/me', { token })).status).toBe(401)
  })
})
