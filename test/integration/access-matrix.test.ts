/**
 * The access-control matrix: every route × every kind of caller → the status they get.
 * A foreign resource is 404, a known-but-insufficient caller 403, a missing or bad token 401.
 * Add a row for every new route.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { saveCompletion } from '../../src/completions/store'
import { ADMIN, call, callJson, createOrgWithWorkspace, createPerson, unique, uploadForm, uploadText, type Person } from './api-client'
import { fixtureBytes } from './fixtures'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>> & { otherAdmin: Person; fileId: string; pdfId: string }
type Caller = 'none' | 'bad' | 'reader' | 'writer' | 'admin' | 'outsider' | 'otherOrg' | 'adminToken'
const CALLERS: Caller[] = ['none', 'bad', 'reader', 'writer', 'admin', 'outsider', 'otherOrg', 'adminToken']

type Request = { method: string; path: string; body?: unknown; form?: FormData; headers?: Record<string, string> }
type Row = {
  name: string
  /** Builds the request; called once per caller, so destructive rows can make a fresh target each time. */
  request: (w: World) => Promise<Request> | Request
  expect: Partial<Record<Caller, number>> & { users?: number }
}

function tokenOf(w: World, caller: Caller): string | null {
  switch (caller) {
    case 'none':
      return null
    case 'bad':
      return 'cairn_not-a-real-token'
    case 'adminToken':
      return ADMIN
    case 'otherOrg':
      return w.otherAdmin.token
    default:
      return w[caller].token
  }
}

/** Expected status for a caller: the row's own entry, else `users` for the org's users, 401 for no or a bad token. */
function expected(row: Row, caller: Caller): number {
  const explicit = row.expect[caller]
  if (explicit !== undefined) return explicit
  if (caller === 'none' || caller === 'bad') return 401
  if (row.expect.users !== undefined && caller !== 'adminToken') return row.expect.users
  throw new Error(`row ${row.name} has no expectation for ${caller}`)
}

async function freshWorkspace(w: World): Promise<string> {
  const id = unique('ws')
  await callJson('POST', '/workspaces', { token: w.admin.token, body: { id } })
  return id
}

async function freshToken(w: World): Promise<string> {
  const t = await callJson('POST', `/users/${w.admin.id}/tokens`, { token: ADMIN, body: { name: 'to-revoke' } })
  return t.id
}

/** A stored completion in the world's workspace, as the agent saves one for `store: true`. */
async function freshCompletion(w: World): Promise<string> {
  const id = `chatcmpl-${unique('m').replace(/[^a-z0-9]/g, '')}`
  const created = Math.floor(Date.now() / 1000)
  const completion = { id, object: 'chat.completion', created, model: 'l0', choices: [{ index: 0, message: { role: 'assistant', content: 'A fox.' }, finish_reason: 'stop' }] }
  await saveCompletion(env.DB, { id, orgId: w.admin.orgId, workspaceId: w.ws, userId: w.writer.id, model: 'l0', created, metadata: {}, messages: [{ role: 'user', content: 'fox?' }], completion })
  return id
}

/** An l0 run in `w`'s workspace (no models: the extractive answer), by its writer. */
async function freshRun(w: World): Promise<string> {
  const res = await call('POST', '/chat/completions', { token: w.writer.token, body: { model: 'l0', workspace: w.ws, messages: [{ role: 'user', content: 'fox?' }] } })
  return (await res.json<{ id: string }>()).id
}

const ROWS: Row[] = [
  { name: 'GET /health', request: () => ({ method: 'GET', path: '/health' }), expect: { none: 200, bad: 200, users: 200, adminToken: 200 } },
  { name: 'GET /openapi.json', request: () => ({ method: 'GET', path: '/openapi.json' }), expect: { none: 200, bad: 200, users: 200, adminToken: 200 } },
  { name: 'GET /docs', request: () => ({ method: 'GET', path: '/docs' }), expect: { none: 200, bad: 200, users: 200, adminToken: 200 } },
  { name: 'GET /models', request: () => ({ method: 'GET', path: '/models' }), expect: { users: 200, adminToken: 200 } },
  { name: 'GET /models/{model}', request: () => ({ method: 'GET', path: '/models/activeloop-l0' }), expect: { users: 200, adminToken: 200 } },
  {
    name: 'POST /users',
    request: () => ({ method: 'POST', path: '/users', body: { email: `${unique('new')}@example.com`, org: unique('org') } }),
    expect: { users: 403, adminToken: 200 },
  },
  {
    name: 'POST /users/{user_id}/tokens',
    request: (w) => ({ method: 'POST', path: `/users/${w.admin.id}/tokens`, body: { name: 'ci' } }),
    expect: { users: 403, admin: 200, otherOrg: 404, adminToken: 200 },
  },
  {
    name: 'GET /users/{user_id}/tokens',
    request: (w) => ({ method: 'GET', path: `/users/${w.admin.id}/tokens` }),
    expect: { users: 403, admin: 200, otherOrg: 404, adminToken: 200 },
  },
  {
    name: 'DELETE /tokens/{token_id}',
    request: async (w) => ({ method: 'DELETE', path: `/tokens/${await freshToken(w)}` }),
    expect: { users: 403, admin: 200, otherOrg: 404, adminToken: 200 },
  },
  {
    name: 'POST /workspaces',
    request: () => ({ method: 'POST', path: '/workspaces', body: { id: unique('ws'), name: 'New' } }),
    expect: { users: 200, adminToken: 403 },
  },
  { name: 'GET /workspaces', request: () => ({ method: 'GET', path: '/workspaces' }), expect: { users: 200, adminToken: 403 } },
  {
    name: 'GET /workspaces/{id}',
    request: (w) => ({ method: 'GET', path: `/workspaces/${w.ws}` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /workspaces/default',
    request: () => ({ method: 'GET', path: '/workspaces/default' }),
    // Every org has its own `default`: the other org's admin reads theirs.
    expect: { users: 200, adminToken: 403 },
  },
  {
    name: 'DELETE /workspaces/{id}',
    request: async (w) => {
      const id = await freshWorkspace(w)
      await call('POST', `/workspaces/${id}/user`, { token: w.admin.token, body: { user: w.writer.id, access: 'writer' } })
      await call('POST', `/workspaces/${id}/user`, { token: w.admin.token, body: { user: w.reader.id, access: 'reader' } })
      return { method: 'DELETE', path: `/workspaces/${id}` }
    },
    expect: { users: 403, admin: 204, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /workspaces/{id}/index (naming the org)',
    request: (w) => ({ method: 'GET', path: `/workspaces/${w.ws}/index?org=${w.org}` }),
    expect: { users: 403, admin: 200, otherOrg: 404, adminToken: 200 },
  },
  {
    name: 'PUT /workspaces/{id}/index (naming the org)',
    // A shard count other than the one new workspaces get (INDEX_SHARDS), so a move starts.
    request: async (w) => ({ method: 'PUT', path: `/workspaces/${await freshWorkspace(w)}/index?org=${w.org}`, body: { shards: Number((env as { INDEX_SHARDS?: string }).INDEX_SHARDS ?? 0) + 1 } }),
    expect: { users: 403, adminToken: 202 },
  },
  {
    name: 'POST /workspaces/{id}/user',
    request: async (w) => {
      const newcomer = await createPerson(w.org)
      return { method: 'POST', path: `/workspaces/${w.ws}/user`, body: { user: newcomer.id, access: 'reader' } }
    },
    expect: { users: 403, admin: 204, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'PUT /workspaces/{id}/user',
    request: (w) => ({ method: 'PUT', path: `/workspaces/${w.ws}/user`, body: { user: w.writer.id, access: 'writer' } }),
    expect: { users: 403, admin: 204, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'DELETE /workspaces/{id}/user/{user_id}',
    request: async (w) => {
      const member = await createPerson(w.org)
      await callJson('POST', `/workspaces/${w.ws}/user`, { token: w.admin.token, body: { user: member.id, access: 'reader' } }, 204)
      return { method: 'DELETE', path: `/workspaces/${w.ws}/user/${member.id}` }
    },
    expect: { users: 403, admin: 204, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'POST /files',
    request: (w) => ({ method: 'POST', path: '/files', form: uploadForm([['note.txt', 'hello']], { workspace: w.ws }) }),
    expect: { users: 403, writer: 200, admin: 200, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'POST /files (default workspace)',
    request: () => ({ method: 'POST', path: '/files', form: uploadForm([['note.txt', 'hello']]) }),
    expect: { users: 200, adminToken: 403 },
  },
  {
    name: 'GET /files',
    request: (w) => ({ method: 'GET', path: `/files?workspace=${w.ws}` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /files/{file_id}',
    request: (w) => ({ method: 'GET', path: `/files/${w.fileId}` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /files/{file_id}/content',
    request: (w) => ({ method: 'GET', path: `/files/${w.fileId}/content` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /files/{file_id}/pages/{page}/image',
    request: (w) => ({ method: 'GET', path: `/files/${w.pdfId}/pages/1/image` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'PATCH /files/{file_id}/metadata',
    request: (w) => ({ method: 'PATCH', path: `/files/${w.fileId}/metadata`, body: { reviewed: true } }),
    expect: { users: 403, writer: 200, admin: 200, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'DELETE /files/{file_id}',
    request: async (w) => ({ method: 'DELETE', path: `/files/${(await uploadText(w.admin.token, w.ws)).id}` }),
    expect: { users: 403, writer: 200, admin: 200, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'POST /chat/completions',
    request: (w) => ({ method: 'POST', path: '/chat/completions', body: { model: 'l0-retrieval', workspace: w.ws, messages: [{ role: 'user', content: 'quick fox' }] } }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'POST /chat/completions (l0)',
    request: (w) => ({ method: 'POST', path: '/chat/completions', body: { model: 'l0', workspace: w.ws, messages: [{ role: 'user', content: 'quick fox' }] } }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /chat/completions/{id}/stream',
    request: async (w) => ({ method: 'GET', path: `/chat/completions/${await freshRun(w)}/stream` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'POST /chat/completions (default workspace)',
    request: () => ({ method: 'POST', path: '/chat/completions', body: { model: 'l0-retrieval', messages: [{ role: 'user', content: 'quick fox' }] } }),
    expect: { users: 200, adminToken: 403 },
  },
  {
    name: 'GET /workspaces/{id}/users',
    request: (w) => ({ method: 'GET', path: `/workspaces/${w.ws}/users` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /chat/completions',
    request: (w) => ({ method: 'GET', path: `/chat/completions?workspace=${w.ws}` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /chat/completions (default workspace)',
    request: () => ({ method: 'GET', path: '/chat/completions' }),
    expect: { users: 200, adminToken: 403 },
  },
  {
    name: 'GET /chat/completions/{id}',
    request: async (w) => ({ method: 'GET', path: `/chat/completions/${await freshCompletion(w)}` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'POST /chat/completions/{id}',
    request: async (w) => ({ method: 'POST', path: `/chat/completions/${await freshCompletion(w)}`, body: { metadata: { reviewed: 'yes' } } }),
    expect: { users: 403, writer: 200, admin: 200, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'DELETE /chat/completions/{id}',
    request: async (w) => ({ method: 'DELETE', path: `/chat/completions/${await freshCompletion(w)}` }),
    expect: { users: 403, writer: 200, admin: 200, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /chat/completions/{id}/messages',
    request: async (w) => ({ method: 'GET', path: `/chat/completions/${await freshCompletion(w)}/messages` }),
    expect: { users: 200, outsider: 403, otherOrg: 404, adminToken: 403 },
  },
  {
    name: 'GET /usage',
    request: () => ({ method: 'GET', path: '/usage' }),
    // The admin token must name the org.
    expect: { users: 200, adminToken: 422 },
  },
  {
    name: 'GET /usage (naming the org)',
    request: (w) => ({ method: 'GET', path: `/usage?org=${w.org}&group_by=user` }),
    expect: { users: 200, otherOrg: 404, adminToken: 200 },
  },
  {
    name: "GET /usage (another user's, in the workspace)",
    request: (w) => ({ method: 'GET', path: `/usage?org=${w.org}&user=${w.writer.id}&workspace=${w.ws}` }),
    expect: { users: 403, writer: 200, admin: 200, otherOrg: 404, adminToken: 200 },
  },
  {
    // Any member reads the events they may see (their own, their administered workspaces'); the admin token must name the org.
    name: 'GET /audit',
    request: () => ({ method: 'GET', path: '/audit' }),
    expect: { users: 200, adminToken: 422 },
  },
  {
    name: 'GET /audit (naming the org)',
    request: (w) => ({ method: 'GET', path: `/audit?org=${w.org}&action=file.uploaded` }),
    expect: { users: 200, otherOrg: 404, adminToken: 200 },
  },
  {
    name: 'GET /audit/export (naming the org)',
    request: (w) => ({ method: 'GET', path: `/audit/export?org=${w.org}` }),
    expect: { users: 200, otherOrg: 404, adminToken: 200 },
  },
  {
    name: 'GET /audit/verify (naming the org)',
    request: (w) => ({ method: 'GET', path: `/audit/verify?org=${w.org}` }),
    expect: { users: 200, otherOrg: 404, adminToken: 200 },
  },
  {
    // MCP's initialize; what each tool may reach is checked in mcp.test.ts.
    name: 'POST /mcp',
    request: () => ({
      method: 'POST',
      path: '/mcp',
      headers: { accept: 'application/json, text/event-stream' },
      body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'matrix', version: '1' } } },
    }),
    expect: { users: 200, adminToken: 403 },
  },
]

let world: World

beforeAll(async () => {
  const base = await createOrgWithWorkspace()
  const otherAdmin = await createPerson(unique('other-org'))
  const file = await uploadText(base.admin.token, base.ws)
  const pdf = await callJson('POST', '/files', { token: base.admin.token, form: uploadForm([['one-page.pdf', await fixtureBytes('samples/pdf/right_to_left_01.pdf')]], { workspace: base.ws }) })
  world = { ...base, otherAdmin, fileId: file.id, pdfId: pdf.id }
})

describe.each(ROWS)('$name', (row) => {
  it.each(CALLERS)('as %s', async (caller) => {
    const req = await row.request(world)
    const res = await call(req.method, req.path, { token: tokenOf(world, caller), body: req.body, form: req.form, headers: req.headers })
    const text = await res.text()
    expect(res.status, `${req.method} ${req.path} as ${caller}: ${text}`).toBe(expected(row, caller))
    if (res.status >= 400) {
      const body = JSON.parse(text)
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
      expect(body.error.message.length).toBeGreaterThan(10)
    }
  })

  it('answers the same under /v1', async () => {
    const caller = CALLERS.find((c) => expected(row, c) < 300)!
    const req = await row.request(world)
    const res = await call(req.method, `/v1${req.path}`, { token: tokenOf(world, caller), body: req.body, form: req.form, headers: req.headers })
    expect(res.status, await res.clone().text()).toBe(expected(row, caller))
  })
})

it('the other org may create a workspace of the same id, and each sees only its own', async () => {
  await callJson('POST', '/workspaces', { token: world.otherAdmin.token, body: { id: world.ws } })
  const ours = await callJson('GET', `/workspaces/${world.ws}`, { token: world.admin.token })
  const theirs = await callJson('GET', `/workspaces/${world.ws}`, { token: world.otherAdmin.token })
  expect(ours.org_id).toBe(world.admin.orgId)
  expect(theirs.org_id).toBe(world.otherAdmin.orgId)
  expect(theirs.org_id).not.toBe(ours.org_id)
})
