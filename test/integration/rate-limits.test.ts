/**
 * Rate limits through the real app, on the runtime's real Rate Limiting bindings: the API Worker's
 * handler called with small limits bound in place of wrangler.toml's (TIGHT_LIMIT_3 and _5 in
 * vitest.config.mts), as an operator would set them. Bursts past a token's and an org's budget get
 * 429s in OpenAI's shape with Retry-After; uploads spend their own budget and never the questions'.
 *
 * The local binding counts in fixed windows of its period, starting on the clock's minute: each burst
 * waits until a window has room for it, so the window cannot turn over in the middle.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import api from '../../src/index'
import type { AppEnv } from '../../src/config'
import { createOrgWithWorkspace, callJson, uploadForm } from './api-client'

/** wrangler.toml's bindings replaced by small ones: 3 a minute per token, 5 per org, in both budgets. */
const tight = {
  ...env,
  API_LIMIT_PER_TOKEN: env.TIGHT_LIMIT_3,
  API_LIMIT_PER_ORG: env.TIGHT_LIMIT_5,
  INGEST_LIMIT_PER_TOKEN: env.TIGHT_LIMIT_3,
  INGEST_LIMIT_PER_ORG: env.TIGHT_LIMIT_5,
} as unknown as AppEnv

async function send(token: string | null, method: string, path: string, body?: BodyInit): Promise<Response> {
  const ctx = createExecutionContext()
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  if (typeof body === 'string') headers['content-type'] = 'application/json'
  const res = await api.fetch(new Request(`http://cairn.test${path}`, { method, headers, body }), tight, ctx)
  await waitOnExecutionContext(ctx)
  return res
}

/** Waits, if need be, until the current minute has at least 20 seconds left. */
async function roomInWindow(): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000)
  if (left < 20_000) await new Promise((r) => setTimeout(r, left + 250))
}

async function expectRefused(res: Response, whose: RegExp) {
  expect(res.status).toBe(429)
  expect(res.headers.get('retry-after')).toBe('60')
  const body = (await res.json()) as { error: { type: string; code: string; message: string; param: null } }
  expect(body.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded', param: null })
  expect(body.error.message).toMatch(whose)
  expect(body.error.message).toMatch(/Try again after 60 seconds/)
}

describe('rate limits', { timeout: 40_000 }, () => {
  it('refuses a token past its budget with 429 and Retry-After, and counts no other token', async () => {
    const { writer, reader } = await createOrgWithWorkspace()
    await roomInWindow()
    for (let i = 0; i < 3; i++) expect((await send(writer.token, 'GET', '/v1/models')).status).toBe(200)
    await expectRefused(await send(writer.token, 'GET', '/v1/models'), /this token/)
    // Another token of the same org still has its own budget (the org's is 5).
    expect((await send(reader.token, 'GET', '/v1/models')).status).toBe(200)
  })

  it('refuses every token of an org once the org has used its budget, and no other org', async () => {
    const a = await createOrgWithWorkspace()
    const b = await createOrgWithWorkspace()
    await roomInWindow()
    for (let i = 0; i < 3; i++) expect((await send(a.writer.token, 'GET', '/v1/models')).status).toBe(200)
    for (let i = 0; i < 2; i++) expect((await send(a.reader.token, 'GET', '/v1/models')).status).toBe(200)
    await expectRefused(await send(a.reader.token, 'GET', '/v1/models'), /organization/)
    await expectRefused(await send(a.admin.token, 'GET', '/workspaces'), /organization/)
    expect((await send(b.writer.token, 'GET', '/v1/models')).status).toBe(200)
  })

  it('gives uploads a budget of their own: a bulk upload is refused while questions go on', async () => {
    const { ws, writer } = await createOrgWithWorkspace()
    await roomInWindow()
    for (let i = 0; i < 3; i++) {
      const res = await send(writer.token, 'POST', '/v1/files', uploadForm([[`note-${i}.txt`, `Note ${i} about lighthouses.`]], { workspace: ws }))
      expect(res.status, await res.clone().text()).toBe(200)
    }
    await expectRefused(await send(writer.token, 'POST', '/v1/files', uploadForm([['note-4.txt', 'One too many.']], { workspace: ws })), /uploads and source syncs/)
    const question = await send(
      writer.token,
      'POST',
      '/v1/chat/completions',
      JSON.stringify({ model: 'l0-retrieval', workspace: ws, messages: [{ role: 'user', content: 'lighthouses' }] }),
    )
    expect(question.status).toBe(200)
    // Listing what was stored is an API request too, and has room.
    expect((await send(writer.token, 'GET', `/v1/files?workspace=${ws}`)).status).toBe(200)
  })

  it('never limits what needs no token, and counts the admin token as a token of its own', async () => {
    await roomInWindow()
    for (let i = 0; i < 5; i++) expect((await send(null, 'GET', '/health')).status).toBe(200)
    const admin = env.ADMIN_TOKEN
    for (let i = 0; i < 3; i++) expect((await send(admin, 'GET', '/users')).status).not.toBe(429)
    await expectRefused(await send(admin, 'GET', '/users'), /this token/)
  })

  it('keeps a client far inside wrangler.toml’s local limits unrefused, and documents 429 on secured routes', async () => {
    const { writer } = await createOrgWithWorkspace()
    for (let i = 0; i < 8; i++) expect((await callJson('GET', '/v1/models', { token: writer.token })).data).toBeDefined()
    const doc = await callJson('GET', '/openapi.json')
    const upload = doc.paths['/files'].post.responses
    expect(upload['429'].description).toMatch(/Retry-After/)
    expect(doc.paths['/health'].get.responses['429']).toBeUndefined()
  })
})
