/**
 * Tenancy as a user lives it: orgs and their `default` workspace, tokens stored only as hashes,
 * revocation, who sees which workspace, and deleting a workspace taking its members with it.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { ADMIN, call, callJson, createOrgWithWorkspace, createPerson, unique } from './api-client'

async function sha256Hex(value: string) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

describe('orgs and users', () => {
  it('creating the first user of an org creates the org with its default workspace; the next joins it', async () => {
    const org = unique('acme')
    const first = await createPerson(org)
    const second = await createPerson(org)
    expect(second.orgId).toBe(first.orgId)
    const ws = await callJson('GET', '/workspaces', { token: second.token })
    expect(ws.data.map((w: { id: string }) => w.id)).toEqual(['default'])
    expect(ws.data[0]).toMatchObject({ org_id: first.orgId, creator_user_id: null })
  })

  it('users of different orgs never share a default workspace', async () => {
    const a = await createPerson(unique('org'))
    const b = await createPerson(unique('org'))
    const wa = await callJson('GET', '/workspaces/default', { token: a.token })
    const wb = await callJson('GET', '/workspaces/default', { token: b.token })
    expect(wa.org_id).not.toBe(wb.org_id)
  })

  it('emails are stored lower-case and the response has the documented shape', async () => {
    const email = `${unique('Mixed')}@Example.COM`
    const user = await callJson('POST', '/users', { token: ADMIN, body: { email, org: unique('org') } })
    expect(Object.keys(user).sort()).toEqual(['created_at', 'email', 'id', 'org_id'])
    expect(user.email).toBe(email.toLowerCase())
    expect(user.id).toMatch(/^user-/)
  })
})

describe('tokens', () => {
  it('only a SHA-256 of the value is stored, and the value is shown once', async () => {
    const person = await createPerson(unique('org'))
    const created = await callJson('POST', `/users/${person.id}/tokens`, { token: person.token, body: { name: 'laptop' } })
    expect(created.token).toMatch(/^cairn_[A-Za-z0-9_-]{40,}$/)
    const rows = await env.DB.prepare('SELECT * FROM api_tokens WHERE id = ?').bind(created.id).all()
    expect(rows.results).toHaveLength(1)
    expect(JSON.stringify(rows.results)).not.toContain(created.token)
    expect(rows.results[0]!.token_hash).toBe(await sha256Hex(created.token))
    const listed = await callJson('GET', `/users/${person.id}/tokens`, { token: person.token })
    expect(listed.data.map((t: { name: string }) => t.name)).toContain('laptop')
    expect(JSON.stringify(listed)).not.toContain(created.token)
    for (const t of listed.data) expect(Object.keys(t).sort()).toEqual(['created_at', 'id', 'name'])
  })

  it('a revoked token stops working at once; the user\'s other tokens keep working', async () => {
    const person = await createPerson(unique('org'))
    const spare = await callJson('POST', `/users/${person.id}/tokens`, { token: ADMIN, body: { name: 'spare' } })
    await callJson('GET', '/workspaces', { token: spare.token })
    await callJson('DELETE', `/tokens/${spare.id}`, { token: person.token })
    const res = await call('GET', '/workspaces', { token: spare.token })
    expect(res.status).toBe(401)
    expect((await res.json<any>()).error.message).toMatch(/revoked|unknown/)
    await callJson('GET', '/workspaces', { token: person.token })
  })

  it('a malformed Authorization header is 401 with a message saying what to send', async () => {
    for (const header of ['Basic abc', 'Bearer', 'Bearer a b', 'token']) {
      const res = await call('GET', '/workspaces', { headers: { authorization: header } })
      expect(res.status, header).toBe(401)
      expect((await res.json<any>()).error.message).toMatch(/Bearer/)
    }
  })
})

describe('workspaces', () => {
  it('a user lists default and the workspaces they belong to, nothing else of the org', async () => {
    const w = await createOrgWithWorkspace()
    const hidden = unique('hidden')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id: hidden } })
    const readerView = await callJson('GET', '/workspaces', { token: w.reader.token })
    expect(readerView.data.map((x: { id: string }) => x.id).sort()).toEqual(['default', w.ws].sort())
    const outsiderView = await callJson('GET', '/workspaces', { token: w.outsider.token })
    expect(outsiderView.data.map((x: { id: string }) => x.id)).toEqual(['default'])
    const adminView = await callJson('GET', '/workspaces', { token: w.admin.token })
    expect(adminView.data.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining(['default', w.ws, hidden]))
  })

  it('members can be added by email, promoted, and removed', async () => {
    const w = await createOrgWithWorkspace()
    await callJson('POST', `/workspaces/${w.ws}/user`, { token: w.admin.token, body: { user: w.outsider.email.toUpperCase(), access: 'reader' } }, 204)
    await callJson('GET', `/workspaces/${w.ws}`, { token: w.outsider.token })
    expect((await call('DELETE', `/workspaces/${w.ws}`, { token: w.outsider.token })).status).toBe(403)
    await callJson('PUT', `/workspaces/${w.ws}/user`, { token: w.admin.token, body: { user: w.outsider.id, access: 'admin' } }, 204)
    const users = await callJson('GET', `/workspaces/${w.ws}/users`, { token: w.outsider.token })
    expect(users.data).toContainEqual(expect.objectContaining({ user_id: w.outsider.id, access: 'admin' }))
    // Now a second admin exists, so the first may step down.
    await callJson('DELETE', `/workspaces/${w.ws}/user/${w.admin.id}`, { token: w.outsider.token }, 204)
    expect((await call('GET', `/workspaces/${w.ws}`, { token: w.admin.token })).status).toBe(403)
  })

  it('in default every org member is a writer, and an admin can be appointed', async () => {
    const org = unique('org')
    const a = await createPerson(org)
    const b = await createPerson(org)
    const before = await callJson('GET', '/workspaces/default/users', { token: a.token })
    expect(before.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ user_id: a.id, access: 'writer' }), expect.objectContaining({ user_id: b.id, access: 'writer' })]),
    )
    expect((await call('PUT', '/workspaces/default/user', { token: a.token, body: { user: b.id, access: 'admin' } })).status).toBe(403)
    const admins = await env.DB.prepare("SELECT count(*) AS n FROM workspace_members WHERE org_id = ? AND workspace_id = 'default'").bind(a.orgId).first<{ n: number }>()
    expect(admins!.n).toBe(0)
  })

  it('deleting a workspace removes it and its memberships; its id can be reused', async () => {
    const w = await createOrgWithWorkspace()
    await callJson('DELETE', `/workspaces/${w.ws}`, { token: w.admin.token }, 204)
    expect((await call('GET', `/workspaces/${w.ws}`, { token: w.admin.token })).status).toBe(404)
    const left = await env.DB.prepare('SELECT count(*) AS n FROM workspace_members WHERE org_id = ? AND workspace_id = ?').bind(w.admin.orgId, w.ws).first<{ n: number }>()
    expect(left!.n).toBe(0)
    const again = await callJson('POST', '/workspaces', { token: w.reader.token, body: { id: w.ws } })
    expect(again.creator_user_id).toBe(w.reader.id)
    const members = await callJson('GET', `/workspaces/${w.ws}/users`, { token: w.reader.token })
    expect(members.data).toEqual([expect.objectContaining({ user_id: w.reader.id, access: 'admin' })])
  })
})

describe('service routes', () => {
  it('health reports readiness and which model roles are on', async () => {
    const health = await callJson('GET', '/health')
    expect(health).toMatchObject({ status: 'ok', checks: { database: 'ok' }, models: { provider: 'none' }, vector_store: 'd1' })
    for (const role of ['reasoning', 'embedding', 'vision', 'speech', 'rerank']) {
      expect(health.models.roles[role]).toEqual({ configured: false, model: null })
    }
  })

  it('models lists l0, l0-retrieval and their activeloop aliases as OpenAI model objects', async () => {
    const p = await createPerson(unique('org'))
    const models = await callJson('GET', '/v1/models', { token: p.token })
    expect(models.object).toBe('list')
    expect(models.data.map((m: { id: string }) => m.id).sort()).toEqual(['activeloop-l0', 'activeloop-l0-retrieval', 'l0', 'l0-retrieval'])
    for (const m of models.data) expect(m).toMatchObject({ object: 'model', owned_by: 'cairn', created: expect.any(Number) })
  })

  it('the OpenAPI document lists every route and the docs page renders from it', async () => {
    const doc = await callJson('GET', '/openapi.json')
    expect(doc.openapi).toBe('3.1.0')
    const paths = Object.keys(doc.paths)
    for (const p of ['/health', '/models', '/users', '/users/{user_id}/tokens', '/tokens/{token_id}', '/workspaces', '/workspaces/{workspace_id}', '/workspaces/{workspace_id}/user', '/workspaces/{workspace_id}/user/{user_id}', '/workspaces/{workspace_id}/users']) {
      expect(paths).toContain(p)
    }
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' })
    const html = await (await call('GET', '/docs')).text()
    expect(html).toContain('/openapi.json')
  })

  it('every response carries Server-Timing with the total', async () => {
    const res = await call('GET', '/health')
    expect(res.headers.get('server-timing')).toMatch(/total;dur=\d/)
    const err = await call('GET', '/workspaces')
    expect(err.status).toBe(401)
    expect(err.headers.get('server-timing')).toMatch(/total;dur=\d/)
  })
})
