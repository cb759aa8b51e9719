/**
 * Bad input on every route gets a precise 4xx in OpenAI's envelope, with `param` naming the field;
 * nothing a client sends produces a 500.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { saveCompletion } from '../../src/completions/store'
import { ADMIN, call, callJson, createOrgWithWorkspace, unique } from './api-client'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
/** A stored completion, for the routes that take one. */
let completionId: string
beforeAll(async () => {
  w = await createOrgWithWorkspace()
  completionId = `chatcmpl-${unique('v').replace(/[^a-z0-9]/g, '')}`
  const created = Math.floor(Date.now() / 1000)
  const completion = { id: completionId, object: 'chat.completion', created, model: 'l0', choices: [] }
  await saveCompletion(env.DB, { id: completionId, orgId: w.admin.orgId, workspaceId: 'default', userId: w.admin.id, model: 'l0', created, metadata: {}, messages: [], completion })
})

async function expectError(res: Response, status: number, param: string | null, messagePart?: RegExp) {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  const body = JSON.parse(text)
  expect(body.error).toMatchObject({ param, type: expect.any(String), message: expect.any(String) })
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  if (messagePart) expect(body.error.message).toMatch(messagePart)
  return body.error
}

describe('JSON bodies', () => {
  it.each([
    ['POST', '/users', () => ADMIN],
    ['POST', '/workspaces', () => w.admin.token],
    ['POST', '/workspaces/{ws}/user', () => w.admin.token],
    ['PUT', '/workspaces/{ws}/user', () => w.admin.token],
    ['POST', '/users/{me}/tokens', () => w.admin.token],
    ['POST', '/chat/completions/{completion}', () => w.admin.token],
  ])('%s %s: malformed JSON is 400, a wrong content type 415, a non-object 422', async (method, template, token) => {
    const path = template.replace('{ws}', w.ws).replace('{me}', w.admin.id).replace('{completion}', completionId)
    const json = { 'content-type': 'application/json' }
    await expectError(await call(method, path, { token: token(), rawBody: '{"id": ', headers: json }), 400, null, /not valid JSON/)
    await expectError(await call(method, path, { token: token(), rawBody: 'id=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, null, /application\/json/)
    await expectError(await call(method, path, { token: token(), rawBody: '<id/>', headers: { 'content-type': 'text/xml' } }), 415, null)
    await expectError(await call(method, path, { token: token(), body: [1, 2, 3] }), 422, null, /JSON object/)
    await expectError(await call(method, path, { token: token(), body: 'a string' }), 422, null)
  })

  it('a field of the wrong type is named as wrong, not as missing', async () => {
    const messages = [{ role: 'user', content: 'hi' }]
    const error = await expectError(await call('POST', '/chat/completions', { token: w.admin.token, body: { model: 5, messages } }), 422, 'model')
    expect(error.message).not.toMatch(/required/)
    expect(error.message).toMatch(/expected string, received number/)
    await expectError(await call('POST', '/chat/completions', { token: w.admin.token, body: { messages } }), 422, 'model', /^model is required\.$/)
    await expectError(await call('POST', '/users', { token: ADMIN, body: { email: 'a@example.com', org: 7 } }), 422, 'org', /expected string, received number/)
  })

  it('an unreadable multipart body is 400 saying what to send', async () => {
    const rawBody = '--x\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nbroken header\r\n\r\nhello\r\n--x--\r\n'
    const headers = { 'content-type': 'multipart/form-data; boundary=x' }
    const error = await expectError(await call('POST', '/files', { token: w.admin.token, rawBody, headers }), 400, null, /multipart body could not be read.*"file" part/)
    expect(error.code).toBe('invalid_multipart')
  })

  it('an oversized body is 413 before it is read', async () => {
    const huge = JSON.stringify({ id: 'x', name: 'y'.repeat(17 * 1024 * 1024) })
    await expectError(await call('POST', '/workspaces', { token: w.admin.token, rawBody: huge, headers: { 'content-type': 'application/json' } }), 413, null, /larger than/)
  })
})

describe('POST /users', () => {
  it.each([
    [{}, 'email'],
    [{ email: 'not-an-email', org: 'acme' }, 'email'],
    [{ email: 'a@example.com' }, 'org'],
    [{ email: 'a@example.com', org: 'Acme Corp' }, 'org'],
    [{ email: 'a@example.com', org: 7 }, 'org'],
  ])('%j → 422 naming %s', async (body, param) => {
    await expectError(await call('POST', '/users', { token: ADMIN, body }), 422, param)
  })

  it('a second user with the same email is 409', async () => {
    const email = `${unique('dup')}@example.com`
    await callJson('POST', '/users', { token: ADMIN, body: { email, org: unique('org') } })
    await expectError(await call('POST', '/users', { token: ADMIN, body: { email: email.toUpperCase(), org: unique('org') } }), 409, 'email')
  })
})

describe('tokens', () => {
  it.each([[{ name: '' }], [{ name: 5 }], [{ name: 'x'.repeat(101) }]])('%j → 422 naming name', async (body) => {
    await expectError(await call('POST', `/users/${w.admin.id}/tokens`, { token: ADMIN, body }), 422, 'name')
  })

  it('unknown user and unknown token are 404 naming them', async () => {
    await expectError(await call('POST', '/users/user-nope/tokens', { token: ADMIN, body: { name: 'x' } }), 404, 'user_id')
    await expectError(await call('GET', '/users/user-nope/tokens', { token: ADMIN }), 404, 'user_id')
    await expectError(await call('DELETE', '/tokens/tok-nope', { token: ADMIN }), 404, 'token_id')
  })
})

describe('workspace ids', () => {
  it.each(['Legal', 'a--b', '-a', 'a-', 'a b', 'a.b', 'a__b', 'é', 'a/b', 'x'.repeat(65)])('"%s" is refused with 422 naming id', async (id) => {
    await expectError(await call('POST', '/workspaces', { token: w.admin.token, body: { id } }), 422, 'id', /lowercase|at most/)
  })

  it.each(['a', 'legal', 'legal-2024', 'team_a-b', '2024'])('"%s" is accepted', async (base) => {
    const id = `${base}-${unique('x').replace(/[^a-z0-9]/g, '')}`.slice(0, 64)
    const ws = await callJson('POST', '/workspaces', { token: w.admin.token, body: { id } })
    expect(ws).toMatchObject({ id, name: id, creator_user_id: w.admin.id, org_id: w.admin.orgId })
    expect(new Date(ws.created_at).toISOString()).toBe(ws.created_at)
  })

  it('a path id that breaks the pattern is 422 naming workspace_id', async () => {
    await expectError(await call('GET', '/workspaces/Not%20Valid', { token: w.admin.token }), 422, 'workspace_id')
    await expectError(await call('GET', '/workspaces/UPPER/users', { token: w.admin.token }), 422, 'workspace_id')
  })

  it('a duplicate id is 409 and leaves the first untouched', async () => {
    const id = unique('dup')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id, name: 'First' } })
    await expectError(await call('POST', '/workspaces', { token: w.writer.token, body: { id, name: 'Second' } }), 409, 'id', /already exists/)
    const ws = await callJson('GET', `/workspaces/${id}`, { token: w.admin.token })
    expect(ws).toMatchObject({ name: 'First', creator_user_id: w.admin.id })
    // The loser of the race did not become a member either.
    const members = await callJson('GET', `/workspaces/${id}/users`, { token: w.admin.token })
    expect(members.data.map((m: { user_id: string }) => m.user_id)).toEqual([w.admin.id])
  })

  it('"default" cannot be deleted and says why', async () => {
    await expectError(await call('DELETE', '/workspaces/default', { token: w.admin.token }), 409, 'workspace_id', /default.*cannot be deleted/)
    await callJson('GET', '/workspaces/default', { token: w.admin.token })
  })
})

describe('members', () => {
  it.each([
    [{ access: 'reader' }, 'user'],
    [{ user: 'x' }, 'access'],
    [{ user: 'x', access: 'owner' }, 'access'],
    [{ user: '', access: 'reader' }, 'user'],
  ])('%j → 422 naming %s', async (body, param) => {
    await expectError(await call('POST', `/workspaces/${w.ws}/user`, { token: w.admin.token, body }), 422, param)
    await expectError(await call('PUT', `/workspaces/${w.ws}/user`, { token: w.admin.token, body }), 422, param)
  })

  it('a user who is not in the org is 404 naming user', async () => {
    await expectError(await call('POST', `/workspaces/${w.ws}/user`, { token: w.admin.token, body: { user: 'user-nobody', access: 'reader' } }), 404, 'user')
  })

  it('adding an existing member is 409; updating a non-member is 404', async () => {
    await expectError(await call('POST', `/workspaces/${w.ws}/user`, { token: w.admin.token, body: { user: w.writer.id, access: 'reader' } }), 409, 'user', /PUT/)
    await expectError(await call('PUT', `/workspaces/${w.ws}/user`, { token: w.admin.token, body: { user: w.outsider.id, access: 'reader' } }), 404, 'user', /POST/)
    await expectError(await call('DELETE', `/workspaces/${w.ws}/user/${w.outsider.id}`, { token: w.admin.token }), 404, 'user_id')
  })

  it('the last admin can be neither demoted nor removed', async () => {
    const id = unique('solo')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id } })
    await expectError(await call('PUT', `/workspaces/${id}/user`, { token: w.admin.token, body: { user: w.admin.id, access: 'writer' } }), 409, 'user', /without an admin/)
    await expectError(await call('DELETE', `/workspaces/${id}/user/${w.admin.id}`, { token: w.admin.token }), 409, 'user', /without an admin/)
  })
})

describe('routing', () => {
  it('an unknown route is 404 and says where the docs are', async () => {
    await expectError(await call('GET', '/nowhere', { token: w.admin.token }), 404, null, /\/docs/)
    await expectError(await call('GET', '/v1/nowhere', { token: w.admin.token }), 404, null)
  })

  it('a wrong method is 405 with Allow', async () => {
    const res = await call('PATCH', '/workspaces', { token: w.admin.token })
    expect(res.headers.get('allow')).toContain('GET')
    expect(res.headers.get('allow')).toContain('POST')
    await expectError(res, 405, null, /PATCH is not allowed/)
    const res2 = await call('POST', `/workspaces/${w.ws}/users`, { token: w.admin.token, body: {} })
    await expectError(res2, 405, null)
  })

  it('an unknown model is 404 naming model', async () => {
    await expectError(await call('GET', '/models/gpt-9', { token: w.admin.token }), 404, 'model', /l0/)
  })
})
