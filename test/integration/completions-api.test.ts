/**
 * Stored chat completions as a client sees them: reading and listing with cursors and filters,
 * replacing metadata in OpenAI's and L0's shapes, deleting, paging through the request's messages,
 * and who may do which of these. Completions are seeded with `saveCompletion`, as the agent stores them.
 */
import { env, SELF } from 'cloudflare:test'
import OpenAI from 'openai'
import { beforeAll, describe, expect, it } from 'vitest'
import { saveCompletion, type CompletionRecord } from '../../src/completions/store'
import { call, callJson, createOrgWithWorkspace, createPerson, unique } from './api-client'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

const completionId = () => `chatcmpl-${unique('c').replace(/[^a-z0-9]/g, '')}`
/** A second well in the past, so `created` alone decides the order of seeded completions. */
const past = (offset: number) => Math.floor(Date.now() / 1000) - 10_000 + offset

type Seed = Partial<Omit<CompletionRecord, 'completion'>> & { answer?: string }

async function seed(workspaceId: string, options: Seed = {}): Promise<string> {
  const id = options.id ?? completionId()
  const created = options.created ?? past(0)
  const model = options.model ?? 'l0'
  const metadata = options.metadata ?? {}
  await saveCompletion(env.DB, {
    id,
    orgId: options.orgId ?? w.admin.orgId,
    workspaceId,
    userId: options.userId ?? w.writer.id,
    model,
    created,
    metadata,
    messages: options.messages ?? [{ role: 'user', content: 'What is the quick fox?' }],
    completion: {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message: { role: 'assistant', content: options.answer ?? 'A fox [1].', annotations: [] }, finish_reason: 'stop', metadata: { relevant_docs: [] } }],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      metadata,
    },
    request: options.request,
  })
  return id
}

/** A workspace of its own, so a listing sees only what the test seeded. */
async function freshWorkspace(): Promise<string> {
  const id = unique('ws')
  await callJson('POST', '/workspaces', { token: w.admin.token, body: { id } })
  await callJson('POST', `/workspaces/${id}/user`, { token: w.admin.token, body: { user: w.writer.id, access: 'writer' } }, 204)
  await callJson('POST', `/workspaces/${id}/user`, { token: w.admin.token, body: { user: w.reader.id, access: 'reader' } }, 204)
  return id
}

async function expectError(res: Response, status: number, param: string | null, messagePart?: RegExp) {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  const body = JSON.parse(text)
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type'])
  expect(body.error.param).toBe(param)
  if (messagePart) expect(body.error.message).toMatch(messagePart)
  return body.error
}

const ids = (list: { data: Array<{ id: string }> }) => list.data.map((c) => c.id)

describe('GET /chat/completions/{id}', () => {
  it('returns the completion as first returned, with its metadata', async () => {
    const id = await seed(w.ws, { metadata: { topic: 'foxes' }, answer: 'The quick brown fox [1].' })
    const body = await callJson('GET', `/chat/completions/${id}`, { token: w.reader.token })
    expect(body).toMatchObject({
      id,
      object: 'chat.completion',
      model: 'l0',
      metadata: { topic: 'foxes' },
      choices: [{ index: 0, message: { role: 'assistant', content: 'The quick brown fox [1].' }, metadata: { relevant_docs: [] } }],
      usage: { total_tokens: 7 },
    })
    expect(await callJson('GET', `/v1/chat/completions/${id}?workspace=${w.ws}`, { token: w.reader.token })).toEqual(body)
  })

  it('an unknown id, or a known one asked for in another workspace, is 404 naming completion_id', async () => {
    const id = await seed(w.ws)
    await expectError(await call('GET', '/chat/completions/chatcmpl-nope', { token: w.admin.token }), 404, 'completion_id', /store/)
    await expectError(await call('GET', `/chat/completions/${id}?workspace=default`, { token: w.admin.token }), 404, 'completion_id')
  })

  it('saving the same id again overwrites it and keeps its place', async () => {
    const ws = await freshWorkspace()
    const first = await seed(ws, { created: past(1) })
    const id = await seed(ws, { created: past(2), answer: 'first try' })
    await seed(ws, { created: past(3) })
    await seed(ws, { id, created: past(2), answer: 'second try', metadata: { retried: 'yes' } })
    const list = await callJson('GET', `/chat/completions?workspace=${ws}`, { token: w.admin.token })
    expect(ids(list)).toHaveLength(3)
    expect(ids(list)[0]).toBe(first)
    expect(ids(list)[1]).toBe(id)
    expect(list.data[1]).toMatchObject({ metadata: { retried: 'yes' }, choices: [{ message: { content: 'second try' } }] })
  })
})

describe('GET /chat/completions', () => {
  let ws: string
  let seeded: string[]
  beforeAll(async () => {
    ws = await freshWorkspace()
    seeded = []
    for (let i = 0; i < 5; i++) {
      seeded.push(await seed(ws, { created: past(i), model: i % 2 === 0 ? 'l0' : 'l0-retrieval', metadata: { n: String(i), team: i < 3 ? 'legal' : 'ops', ...(i === 1 ? { urgent: 'true' } : {}) } }))
    }
  })

  it('lists oldest first by default, 20 at most, with the list envelope', async () => {
    const list = await callJson('GET', `/chat/completions?workspace=${ws}`, { token: w.reader.token })
    expect(list).toMatchObject({ object: 'list', first_id: seeded[0], last_id: seeded[4], has_more: false })
    expect(ids(list)).toEqual(seeded)
    expect(list.data[0]).toMatchObject({ object: 'chat.completion', metadata: { n: '0', team: 'legal' } })
  })

  it('pages with after and limit, in either order', async () => {
    const first = await callJson('GET', `/chat/completions?workspace=${ws}&limit=2`, { token: w.reader.token })
    expect(ids(first)).toEqual(seeded.slice(0, 2))
    expect(first).toMatchObject({ first_id: seeded[0], last_id: seeded[1], has_more: true })
    const second = await callJson('GET', `/chat/completions?workspace=${ws}&limit=2&after=${first.last_id}`, { token: w.reader.token })
    expect(ids(second)).toEqual(seeded.slice(2, 4))
    expect(second.has_more).toBe(true)
    const third = await callJson('GET', `/chat/completions?workspace=${ws}&limit=2&after=${second.last_id}`, { token: w.reader.token })
    expect(ids(third)).toEqual(seeded.slice(4))
    expect(third.has_more).toBe(false)

    const desc = await callJson('GET', `/chat/completions?workspace=${ws}&order=desc&limit=3`, { token: w.reader.token })
    expect(ids(desc)).toEqual([...seeded].reverse().slice(0, 3))
    const descRest = await callJson('GET', `/chat/completions?workspace=${ws}&order=desc&after=${desc.last_id}`, { token: w.reader.token })
    expect(ids(descRest)).toEqual([...seeded].reverse().slice(3))
  })

  it('completions of the same second neither repeat nor vanish across pages', async () => {
    const tied = await freshWorkspace()
    const created = past(50)
    const all: string[] = []
    for (let i = 0; i < 7; i++) all.push(await seed(tied, { created }))
    for (const order of ['asc', 'desc']) {
      const seen: string[] = []
      let after = ''
      for (;;) {
        const page = await callJson('GET', `/chat/completions?workspace=${tied}&limit=3&order=${order}${after}`, { token: w.admin.token })
        seen.push(...ids(page))
        if (!page.has_more) break
        after = `&after=${page.last_id}`
      }
      expect(seen).toHaveLength(7)
      expect([...seen].sort()).toEqual([...all].sort())
    }
  })

  it('filters by model', async () => {
    const list = await callJson('GET', `/chat/completions?workspace=${ws}&model=l0-retrieval`, { token: w.reader.token })
    expect(ids(list)).toEqual([seeded[1], seeded[3]])
  })

  it('filters by metadata[key]=value; every pair must match, brackets encoded or not', async () => {
    const legal = await callJson('GET', `/chat/completions?workspace=${ws}&metadata[team]=legal`, { token: w.reader.token })
    expect(ids(legal)).toEqual(seeded.slice(0, 3))
    const both = await callJson('GET', `/chat/completions?workspace=${ws}&metadata%5Bteam%5D=legal&metadata%5Burgent%5D=true`, { token: w.reader.token })
    expect(ids(both)).toEqual([seeded[1]])
    const none = await callJson('GET', `/chat/completions?workspace=${ws}&metadata[team]=ops&metadata[urgent]=true`, { token: w.reader.token })
    expect(none).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false })
    const withModel = await callJson('GET', `/chat/completions?workspace=${ws}&metadata[team]=ops&model=l0`, { token: w.reader.token })
    expect(ids(withModel)).toEqual([seeded[4]])
  })

  it('keys with dots, quotes and spaces are matched literally', async () => {
    const odd = await freshWorkspace()
    const id = await seed(odd, { metadata: { 'a.b "c"': 'x y' } })
    await seed(odd, { metadata: { a: 'x y' } })
    const list = await callJson('GET', `/chat/completions?workspace=${odd}&${encodeURIComponent('metadata[a.b "c"]')}=${encodeURIComponent('x y')}`, { token: w.admin.token })
    expect(ids(list)).toEqual([id])
  })

  it('lists the default workspace when none is named', async () => {
    const id = await seed('default', { created: past(9000) })
    const list = await callJson('GET', '/chat/completions?order=desc&limit=100', { token: w.writer.token })
    expect(ids(list)).toContain(id)
    expect(ids(list)).not.toContain(seeded[0])
  })

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['order=newest', 'order'],
    ['workspace=Not%20Valid', 'workspace'],
    ['after=chatcmpl-unknown', 'after'],
    ['metadata=team', 'metadata'],
    ['metadata[]=x', 'metadata'],
    [`metadata[${'k'.repeat(65)}]=x`, `metadata[${'k'.repeat(65)}]`],
    [`metadata[team]=${'v'.repeat(513)}`, 'metadata[team]'],
    ['metadata[team]=legal&metadata[team]=ops', 'metadata[team]'],
    [Array.from({ length: 17 }, (_, i) => `metadata[k${i}]=v`).join('&'), 'metadata'],
  ])('%s → 422 naming %s', async (query, param) => {
    await expectError(await call('GET', `/chat/completions?workspace=${ws}&${query}`, { token: w.reader.token }), 422, param)
  })

  it('a cursor from another workspace is not accepted', async () => {
    const elsewhere = await seed(w.ws)
    await expectError(await call('GET', `/chat/completions?workspace=${ws}&after=${elsewhere}`, { token: w.admin.token }), 422, 'after')
  })
})

describe('POST /chat/completions/{id}', () => {
  it("replaces the metadata, in OpenAI's shape and in L0's", async () => {
    const id = await seed(w.ws, { metadata: { topic: 'foxes', stale: 'yes' } })
    const openai = await callJson('POST', `/chat/completions/${id}`, { token: w.writer.token, body: { metadata: { topic: 'dogs' } } })
    expect(openai).toMatchObject({ id, object: 'chat.completion', metadata: { topic: 'dogs' } })
    expect(openai.metadata).not.toHaveProperty('stale')
    expect(openai.choices[0].message.content).toBe('A fox [1].')

    const l0 = await callJson('POST', `/chat/completions/${id}?workspace=${w.ws}`, { token: w.writer.token, body: { reviewed: 'true', by: 'ada' } })
    expect(l0.metadata).toEqual({ reviewed: 'true', by: 'ada' })
    expect((await callJson('GET', `/chat/completions/${id}`, { token: w.reader.token })).metadata).toEqual({ reviewed: 'true', by: 'ada' })

    // A single key named "metadata" with a string value is L0's metadata, not OpenAI's wrapper.
    const literal = await callJson('POST', `/chat/completions/${id}`, { token: w.writer.token, body: { metadata: 'kept as a key' } })
    expect(literal.metadata).toEqual({ metadata: 'kept as a key' })

    expect((await callJson('POST', `/chat/completions/${id}`, { token: w.writer.token, body: { metadata: null } })).metadata).toEqual({})
    expect((await callJson('POST', `/chat/completions/${id}`, { token: w.writer.token, body: {} })).metadata).toEqual({})
  })

  it('the new metadata is what listings filter on', async () => {
    const ws = await freshWorkspace()
    const id = await seed(ws, { metadata: { status: 'draft' } })
    await callJson('POST', `/chat/completions/${id}`, { token: w.admin.token, body: { metadata: { status: 'final' } } })
    expect(ids(await callJson('GET', `/chat/completions?workspace=${ws}&metadata[status]=draft`, { token: w.admin.token }))).toEqual([])
    expect(ids(await callJson('GET', `/chat/completions?workspace=${ws}&metadata[status]=final`, { token: w.admin.token }))).toEqual([id])
  })

  it.each([
    ['17 keys', { metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata', /at most 16 keys/],
    ['17 keys (L0)', Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])), 'metadata', /at most 16 keys/],
    ['a 65-character key', { metadata: { ['k'.repeat(65)]: 'v' } }, `metadata.${'k'.repeat(65)}`, /64 characters/],
    ['a 513-character value', { metadata: { note: 'v'.repeat(513) } }, 'metadata.note', /512 characters/],
    ['a number value', { metadata: { n: 1 } }, 'metadata.n', undefined],
    ['a number value (L0)', { n: 1 }, 'metadata.n', undefined],
    ['an array', [1, 2], null, /JSON object/],
    ['a string', 'tag', null, undefined],
  ])('%s → 422', async (_name, body, param, message) => {
    const id = await seed(w.ws, { metadata: { keep: 'me' } })
    await expectError(await call('POST', `/chat/completions/${id}`, { token: w.writer.token, body }), 422, param, message)
    expect((await callJson('GET', `/chat/completions/${id}`, { token: w.reader.token })).metadata).toEqual({ keep: 'me' })
  })

  it('exactly 16 keys of 64 characters with 512-character values are accepted', async () => {
    const id = await seed(w.ws)
    const metadata = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`${i}`.padStart(64, 'k'), 'v'.repeat(512)]))
    expect((await callJson('POST', `/chat/completions/${id}`, { token: w.writer.token, body: { metadata } })).metadata).toEqual(metadata)
  })
})

describe('DELETE /chat/completions/{id}', () => {
  it('deletes it: then it is 404 everywhere and gone from listings', async () => {
    const ws = await freshWorkspace()
    const id = await seed(ws)
    const kept = await seed(ws)
    expect(await callJson('DELETE', `/chat/completions/${id}`, { token: w.writer.token })).toEqual({ id, object: 'chat.completion.deleted', deleted: true })
    await expectError(await call('GET', `/chat/completions/${id}`, { token: w.writer.token }), 404, 'completion_id')
    await expectError(await call('GET', `/chat/completions/${id}/messages`, { token: w.writer.token }), 404, 'completion_id')
    await expectError(await call('DELETE', `/chat/completions/${id}`, { token: w.writer.token }), 404, 'completion_id')
    expect(ids(await callJson('GET', `/chat/completions?workspace=${ws}`, { token: w.writer.token }))).toEqual([kept])
    const row = await env.DB.prepare('SELECT id FROM completions WHERE id = ?').bind(id).first()
    expect(row).toBeNull()
  })
})

describe('GET /chat/completions/{id}/messages', () => {
  const image = { type: 'image_url', image_url: { url: 'https://example.com/fox.png' } }
  const messages = [
    { role: 'system', content: 'Answer from the files.' },
    { role: 'user', content: [{ type: 'text', text: 'What is in' }, image, { type: 'text', text: 'this picture?' }], name: 'ada' },
    { role: 'assistant', content: 'A fox.' },
    { role: 'user', content: [{ type: 'filter', filter: "metadata.author == 'hegel'", top_k: 3 }] },
    { role: 'user', content: 'And the dog?' },
  ]

  it("lists the request's messages as sent, with ids, content and content_parts", async () => {
    const id = await seed(w.ws, { messages })
    const list = await callJson('GET', `/chat/completions/${id}/messages`, { token: w.reader.token })
    expect(list).toEqual({
      object: 'list',
      data: [
        { id: `${id}-0`, role: 'system', content: 'Answer from the files.', name: null, content_parts: null },
        { id: `${id}-1`, role: 'user', content: 'What is in\nthis picture?', name: 'ada', content_parts: messages[1]!.content },
        { id: `${id}-2`, role: 'assistant', content: 'A fox.', name: null, content_parts: null },
        { id: `${id}-3`, role: 'user', content: null, name: null, content_parts: messages[3]!.content },
        { id: `${id}-4`, role: 'user', content: 'And the dog?', name: null, content_parts: null },
      ],
      first_id: `${id}-0`,
      last_id: `${id}-4`,
      has_more: false,
    })
  })

  it('pages with after, limit and order', async () => {
    const id = await seed(w.ws, { messages })
    const first = await callJson('GET', `/chat/completions/${id}/messages?limit=2`, { token: w.reader.token })
    expect(ids(first)).toEqual([`${id}-0`, `${id}-1`])
    expect(first.has_more).toBe(true)
    const second = await callJson('GET', `/chat/completions/${id}/messages?limit=2&after=${first.last_id}`, { token: w.reader.token })
    expect(ids(second)).toEqual([`${id}-2`, `${id}-3`])
    expect(second.has_more).toBe(true)
    const last = await callJson('GET', `/chat/completions/${id}/messages?limit=2&after=${second.last_id}`, { token: w.reader.token })
    expect(ids(last)).toEqual([`${id}-4`])
    expect(last.has_more).toBe(false)

    const desc = await callJson('GET', `/chat/completions/${id}/messages?order=desc&limit=2`, { token: w.reader.token })
    expect(ids(desc)).toEqual([`${id}-4`, `${id}-3`])
    const descRest = await callJson('GET', `/chat/completions/${id}/messages?order=desc&after=${desc.last_id}`, { token: w.reader.token })
    expect(ids(descRest)).toEqual([`${id}-2`, `${id}-1`, `${id}-0`])
    expect(descRest.has_more).toBe(false)
    const empty = await callJson('GET', `/chat/completions/${id}/messages?after=${id}-4`, { token: w.reader.token })
    expect(empty).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false })
  })

  it('more than 20 messages page by 20 unless told', async () => {
    const many = Array.from({ length: 45 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `m${i}` }))
    const id = await seed(w.ws, { messages: many })
    const first = await callJson('GET', `/chat/completions/${id}/messages`, { token: w.reader.token })
    expect(first.data).toHaveLength(20)
    expect(first.has_more).toBe(true)
    const all = await callJson('GET', `/chat/completions/${id}/messages?limit=100`, { token: w.reader.token })
    expect(all.data.map((m: { content: string }) => m.content)).toEqual(many.map((m) => m.content))
  })

  it.each([
    ['after=chatcmpl-other-0', 'after'],
    ['after={id}-5', 'after'],
    ['after={id}-01', 'after'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['order=up', 'order'],
  ])('%s → 422 naming %s', async (query, param) => {
    const id = await seed(w.ws, { messages })
    await expectError(await call('GET', `/chat/completions/${id}/messages?${query.replace('{id}', id)}`, { token: w.reader.token }), 422, param)
  })

  it('keeps the text of a request whose inline images are larger than a stored row', async () => {
    const huge = `data:image/png;base64,${'A'.repeat(2_500_000)}`
    const id = await seed(w.ws, { messages: [{ role: 'user', content: [{ type: 'text', text: 'Describe this.' }, { type: 'image_url', image_url: { url: huge } }] }] })
    const [message] = (await callJson('GET', `/chat/completions/${id}/messages`, { token: w.reader.token })).data
    expect(message.content).toBe('Describe this.')
    expect(message.content_parts[1].image_url.url).toMatch(/^data:,omitted/)
  })
})

describe('access', () => {
  it("another org's completion is 404 on every route, never 403", async () => {
    const stranger = await createPerson(unique('org'))
    const id = await seed(w.ws)
    for (const [method, path] of [
      ['GET', `/chat/completions/${id}`],
      ['POST', `/chat/completions/${id}`],
      ['DELETE', `/chat/completions/${id}`],
      ['GET', `/chat/completions/${id}/messages`],
    ] as const) {
      await expectError(await call(method, path, { token: stranger.token, body: method === 'POST' ? { metadata: {} } : undefined }), 404, 'completion_id')
    }
    await expectError(await call('GET', `/chat/completions?workspace=${w.ws}`, { token: stranger.token }), 404, 'workspace_id')
    // Their own default workspace does not show ours.
    const theirs = await callJson('GET', '/chat/completions?limit=100', { token: stranger.token })
    expect(ids(theirs)).not.toContain(id)
  })

  it('an org member without access to its workspace is 403', async () => {
    const id = await seed(w.ws)
    await expectError(await call('GET', `/chat/completions/${id}`, { token: w.outsider.token }), 403, null)
    await expectError(await call('GET', `/chat/completions/${id}/messages`, { token: w.outsider.token }), 403, null)
    await expectError(await call('GET', `/chat/completions?workspace=${w.ws}`, { token: w.outsider.token }), 403, null)
  })

  it('a reader may read but neither update nor delete', async () => {
    const id = await seed(w.ws, { metadata: { keep: 'me' } })
    await callJson('GET', `/chat/completions/${id}`, { token: w.reader.token })
    await expectError(await call('POST', `/chat/completions/${id}`, { token: w.reader.token, body: { metadata: { x: 'y' } } }), 403, null, /writer/)
    await expectError(await call('DELETE', `/chat/completions/${id}`, { token: w.reader.token }), 403, null, /writer/)
    expect((await callJson('GET', `/chat/completions/${id}`, { token: w.admin.token })).metadata).toEqual({ keep: 'me' })
  })

  it('the admin token belongs to no org and is refused', async () => {
    const id = await seed(w.ws)
    await expectError(await call('GET', `/chat/completions/${id}`, { token: env.ADMIN_TOKEN }), 403, null)
  })
})

describe('routing', () => {
  it('a wrong method on a completion is 405 naming the methods it answers', async () => {
    const id = await seed(w.ws)
    const res = await call('PATCH', `/chat/completions/${id}`, { token: w.admin.token, body: { metadata: {} } })
    expect(res.headers.get('allow')?.split(', ')).toEqual(expect.arrayContaining(['GET', 'POST', 'DELETE']))
    await expectError(res, 405, null)
  })

  it('/chat/completions/{id}/stream is not read as the completion', async () => {
    const id = await seed(w.ws)
    const res = await call('GET', `/chat/completions/${id}/stream`, { token: w.admin.token })
    const body = await res.text()
    if (res.status === 200) expect(res.headers.get('content-type')).toMatch(/event-stream/)
    expect(body).not.toMatch(/^\{"id":"chatcmpl-/)
  })
})

describe('with the OpenAI SDK', () => {
  it('chat.completions retrieve, list with metadata, update, messages.list and delete work as written for OpenAI', async () => {
    const ws = await freshWorkspace()
    const a = await seed(ws, { created: past(1), metadata: { project: 'fox' }, messages: [{ role: 'user', content: 'hi' }] })
    const b = await seed(ws, { created: past(2), metadata: { project: 'dog' } })
    // The SDK has no workspace parameter; a completion in `default` is what an unmodified script sees.
    const run = unique('run')
    const inDefault = await seed('default', { created: past(3), metadata: { sdk: run } })
    const client = new OpenAI({ baseURL: 'http://cairn.test/v1', apiKey: w.writer.token, fetch: (url, init) => SELF.fetch(url as string, init as RequestInit) })

    const retrieved = await client.chat.completions.retrieve(a)
    expect(retrieved.id).toBe(a)
    expect(retrieved.choices[0]!.message.content).toBe('A fox [1].')

    // Extra params ride along in the query, as `extra_query` does in the Python SDK.
    const page = await client.chat.completions.list({ metadata: { project: 'dog' }, workspace: ws } as OpenAI.Chat.ChatCompletionListParams)
    expect(page.data.map((c) => c.id)).toEqual([b])

    const listed = await client.chat.completions.list({ metadata: { sdk: run } })
    expect(listed.data.map((c) => c.id)).toEqual([inDefault])

    const updated = await client.chat.completions.update(a, { metadata: { project: 'wolf' } })
    expect((updated as unknown as { metadata: unknown }).metadata).toEqual({ project: 'wolf' })

    const messages = await client.chat.completions.messages.list(a)
    expect(messages.data).toEqual([{ id: `${a}-0`, role: 'user', content: 'hi', name: null, content_parts: null }])

    const deleted = await client.chat.completions.delete(a)
    expect(deleted).toEqual({ id: a, object: 'chat.completion.deleted', deleted: true })
    await expect(client.chat.completions.retrieve(a)).rejects.toMatchObject({ status: 404 })
  })
})
