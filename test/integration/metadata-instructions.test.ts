/**
 * Metadata from a file's content, end to end in workerd: `instructions` at upload and in
 * `PATCH /files/{id}/metadata`, a reasoning model on the scripted model server, the queue's messages
 * run through the real consumer (`createMessageBatch`), and the metadata found again with
 * `GET /files?metadata=…`. Without a reasoning model (the default test env), the file is still
 * processed and the PATCH is refused.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app'
import { buildDeps } from '../../src/deps'
import type { AppEnv } from '../../src/config'
import type { QueueJob } from '../../src/ingest/jobs'
import { consumeIngestBatch } from '../../src/ingest/queue-consumer'
import type { Received } from '../model-server/server'
import { call, callJson, createOrgWithWorkspace, unique, uploadForm, waitForIngest } from './api-client'
import { received, script, server } from './model-server-client'
import { fixtureBytes } from './fixtures'

const app = createApp(buildDeps)

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

/** An env with a reasoning model on the scripted server, whose queue hands its messages to the test. */
function withReasoningModel(model: string) {
  const jobs: QueueJob[] = []
  const queue = {
    send: async (body: QueueJob) => void jobs.push(body),
    sendBatch: async (messages: Iterable<{ body: QueueJob }>) => void jobs.push(...[...messages].map((m) => m.body)),
  }
  const appEnv = { ...env, MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, REASONING_MODEL: model, INGEST_QUEUE: queue } as unknown as AppEnv
  return { appEnv, jobs }
}

type Env = ReturnType<typeof withReasoningModel>

async function api(e: Env, method: string, path: string, options: { body?: unknown; form?: FormData } = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${w.writer.token}` }
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const body = options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
  return app.request(path, { method, headers, body }, e.appEnv)
}

async function apiJson(e: Env, method: string, path: string, options: { body?: unknown; form?: FormData } = {}): Promise<any> {
  const res = await api(e, method, path, options)
  const text = await res.text()
  expect(res.status, `${method} ${path} → ${res.status} ${text}`).toBe(200)
  return JSON.parse(text)
}

/** Runs the queued messages through the consumer, as the queue would, until none are left; returns the ids it asked to retry. */
async function drain(e: Env, options: { allowRetries?: boolean } = {}): Promise<string[]> {
  const retried: string[] = []
  for (let round = 0; e.jobs.length > 0; round++) {
    expect(round, 'the queue settles').toBeLessThan(20)
    const messages = e.jobs.splice(0).map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body }))
    const batch = createMessageBatch<QueueJob>('cairn-ingest', messages)
    const ctx = createExecutionContext()
    await consumeIngestBatch(batch, buildDeps(e.appEnv))
    const result = await getQueueResult(batch, ctx)
    if (!options.allowRetries) expect(result.retryMessages).toEqual([])
    retried.push(...result.retryMessages.map((m: { msgId: string }) => m.msgId))
  }
  return retried
}


async function chatCalls(model: string): Promise<Received[]> {
  const log = await received(model)
  return log.filter((r) => r.path === '/v1/chat/completions')
}

function userPrompt(request: Received): string {
  const messages = (request.body as { messages: Array<{ role: string; content: unknown }> }).messages
  const user = messages.find((m) => m.role === 'user')!
  return typeof user.content === 'string' ? user.content : JSON.stringify(user.content)
}

async function uploadFixture(e: Env, path: string, fields: Record<string, string> = {}) {
  const name = path.split('/').at(-1)!
  return apiJson(e, 'POST', '/files', { form: uploadForm([[name, await fixtureBytes(path)]], { workspace: w.ws, ...fields }) })
}

async function processed(e: Env, path: string, metadata: Record<string, unknown> = {}) {
  const file = await uploadFixture(e, path, { metadata: JSON.stringify(metadata) })
  await drain(e)
  const done = await apiJson(e, 'GET', `/files/${file.id}`)
  expect(done.status, done.status_details).toBe('processed')
  return done
}

describe('instructions at upload', () => {
  const model = unique('extract-upload')
  const e = withReasoningModel(model)
  let uploaded: any
  let file: any

  beforeAll(async () => {
    await script(model, [{ content: '```json\n{"author": "Andreas Gal", "year": 2009, "topic": "compilers", "venue": null}\n```', usage: { prompt: 5200, completion: 31 } }])
    // 14 pages: three page-range messages in the test env, so the file completes in whichever runs last.
    uploaded = await uploadFixture(e, 'samples/pdf/tracemonkey.pdf', { instructions: 'extract the author and year', metadata: '{"topic": "jit"}' })
    await drain(e)
    file = await apiJson(e, 'GET', `/files/${uploaded.id}`)
  })

  it('answers the upload with the request pending', () => {
    expect(uploaded.status).toBe('uploaded')
    expect(uploaded.metadata_extraction).toMatchObject({ status: 'pending', instructions: 'extract the author and year', details: null, keys: [] })
  })

  it('sets the fields after processing, leaving the keys given with the upload as they were', () => {
    expect(file.status).toBe('processed')
    expect(file.metadata).toEqual({ topic: 'jit', author: 'Andreas Gal', year: 2009 })
    expect(file.metadata_extraction).toMatchObject({
      status: 'done',
      keys: ['author', 'year'],
      details: "Set from the file's content: author, year. Left as you set them: topic.",
      usage: { prompt_tokens: 5200, completion_tokens: 31, total_tokens: 5231 },
    })
    expect(file.metadata_extraction.finished_at).toBeGreaterThanOrEqual(file.metadata_extraction.requested_at)
  })

  it('asked the model once, with the instructions and the beginning of the file, bounded', async () => {
    const calls = await chatCalls(model)
    expect(calls).toHaveLength(1)
    const prompt = userPrompt(calls[0]!)
    expect(prompt).toContain('Instructions: extract the author and year')
    expect(prompt).toContain('tracemonkey.pdf')
    expect(prompt).toContain('[page 1]')
    expect(prompt).toMatch(/Trace-based Just-in-Time/)
    expect(prompt).toContain('(its beginning; the rest is left out)')
    expect(prompt.length).toBeLessThan(40_000)
  })

  it('is found at once by a metadata filter', async () => {
    const q = (expr: string) => apiJson(e, 'GET', `/files?workspace=${w.ws}&metadata=${encodeURIComponent(expr)}`)
    expect((await q("author == 'Andreas Gal'")).data.map((f: { id: string }) => f.id)).toEqual([uploaded.id])
    expect((await q('metadata.year = 2009 and topic = "jit"')).data.map((f: { id: string }) => f.id)).toEqual([uploaded.id])
    expect((await q("author == 'Michael Franz'")).data).toEqual([])
  })
})

describe('instructions in PATCH /files/{id}/metadata', () => {
  it('on a processed file: the other keys at once, the model\'s keys from a queued job', async () => {
    const model = unique('extract-patch')
    const e = withReasoningModel(model)
    const file = await processed(e, 'samples/markdown/duck.md', { reviewed: false })
    await script(model, [{ content: '{"title": "Swimming in the lake", "season": "summer", "reviewed": true}' }])

    const patched = await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'give the title, the season and whether it was reviewed', season: 'winter' } })
    expect(patched.metadata).toEqual({ reviewed: false, season: 'winter' })
    expect(patched.metadata_extraction).toMatchObject({ status: 'pending', instructions: 'give the title, the season and whether it was reviewed' })
    expect(e.jobs).toEqual([{ kind: 'extract-metadata', fileId: file.id, orgId: w.writer.orgId, workspaceId: w.ws, request: expect.any(String) }])

    await drain(e)
    const after = await apiJson(e, 'GET', `/files/${file.id}`)
    // `season` was set in the same request, so it stays; `reviewed` was set before, so the model may update it.
    expect(after.metadata).toEqual({ reviewed: true, season: 'winter', title: 'Swimming in the lake' })
    expect(after.metadata_extraction).toMatchObject({ status: 'done', keys: ['title', 'reviewed'] })
    expect(after.status).toBe('processed')
    expect(userPrompt((await chatCalls(model))[0]!)).toContain('Swimming in the lake')
  })

  it('before the file is processed: waits, then runs once the file completes', async () => {
    const model = unique('extract-early')
    const e = withReasoningModel(model)
    await script(model, [{ content: '{"company": "IBM", "founded": 1911}' }])
    const file = await uploadFixture(e, 'samples/markdown/wiki.md')
    const patched = await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'the company and the year it was founded' } })
    expect(patched.metadata_extraction.status).toBe('pending')
    expect(e.jobs.every((job) => job.kind === undefined), 'nothing to extract from yet').toBe(true)
    await drain(e)
    const after = await apiJson(e, 'GET', `/files/${file.id}`)
    expect(after).toMatchObject({ status: 'processed', metadata: { company: 'IBM', founded: 1911 }, metadata_extraction: { status: 'done' } })
  })

  it('a newer request replaces one still queued: only the newer one runs', async () => {
    const model = unique('extract-twice')
    const e = withReasoningModel(model)
    const file = await processed(e, 'samples/markdown/duck.md')
    await script(model, [{ content: '{"language": "en"}' }])
    await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'the title' } })
    await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'the language' } })
    expect(e.jobs).toHaveLength(2)
    await drain(e)
    expect(await chatCalls(model)).toHaveLength(1)
    const after = await apiJson(e, 'GET', `/files/${file.id}`)
    expect(after.metadata).toEqual({ language: 'en' })
    expect(after.metadata_extraction).toMatchObject({ status: 'done', instructions: 'the language' })
  })

  it('refuses instructions that are not a string, and a file that could not be processed', async () => {
    const e = withReasoningModel(unique('extract-refused'))
    const file = await processed(e, 'samples/markdown/duck.md')
    for (const instructions of [42, '', 'x'.repeat(10_001)]) {
      const res = await api(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions, a: 1 } })
      expect(res.status).toBe(422)
      expect((await res.json<any>()).error.param).toBe('instructions')
    }
    await env.DB.prepare("UPDATE files SET status = 'error', status_details = 'Damaged.' WHERE id = ?").bind(file.id).run()
    const res = await api(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'the title' } })
    expect(res.status).toBe(422)
    expect((await res.json<any>()).error).toMatchObject({ param: 'instructions', code: 'file_not_processed' })
    expect((await apiJson(e, 'GET', `/files/${file.id}`)).metadata).toEqual({})
  })
})

describe('when the model fails', () => {
  it('an answer that is not a JSON object leaves the metadata untouched and says so', async () => {
    const model = unique('extract-garbage')
    const e = withReasoningModel(model)
    const file = await processed(e, 'samples/markdown/duck.md', { a: 1 })
    await script(model, [{ content: 'The author is probably a duck, I would say.' }])
    await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'the author' } })
    await drain(e)
    const after = await apiJson(e, 'GET', `/files/${file.id}`)
    expect(after.metadata).toEqual({ a: 1 })
    expect(after.status).toBe('processed')
    expect(after.metadata_extraction).toMatchObject({ status: 'failed', keys: [] })
    expect(after.metadata_extraction.details).toMatch(/^The model's answer was not used, so the metadata was left as it was: it holds no JSON object/)
  })

  it('an object with a list or a key filters cannot name is refused whole', async () => {
    const model = unique('extract-nested')
    const e = withReasoningModel(model)
    const file = await processed(e, 'samples/markdown/duck.md', { a: 1 })
    await script(model, [{ content: '{"title": "Duck", "tags": ["summer", "lake"]}' }, { content: '{"Title Case": "Duck"}' }])
    await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'title and tags' } })
    await drain(e)
    let after = await apiJson(e, 'GET', `/files/${file.id}`)
    expect(after.metadata).toEqual({ a: 1 })
    expect(after.metadata_extraction.details).toMatch(/the value of "tags" is not text, a number or true\/false/)
    await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'the title' } })
    await drain(e)
    after = await apiJson(e, 'GET', `/files/${file.id}`)
    expect(after.metadata).toEqual({ a: 1 })
    expect(after.metadata_extraction.details).toMatch(/"Title Case" is not a field name filters can use/)
  })

  it('a passing failure is retried by the queue, and the redelivery sets the fields', async () => {
    const model = unique('extract-503')
    const e = withReasoningModel(model)
    const file = await processed(e, 'samples/markdown/duck.md')
    // The adapter's own three attempts all fail; the queue redelivers later.
    await script(model, [{ status: 503 }, { status: 503 }, { status: 503 }, { content: '{"title": "Swimming in the lake"}' }])
    await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'the title' } })
    const job = e.jobs[0]!
    const retried = await drain(e, { allowRetries: true })
    expect(retried).toHaveLength(1)
    let after = await apiJson(e, 'GET', `/files/${file.id}`)
    expect(after.metadata).toEqual({})
    expect(after.metadata_extraction.status).toBe('pending')
    e.jobs.push(job)
    await drain(e)
    after = await apiJson(e, 'GET', `/files/${file.id}`)
    expect(after.metadata).toEqual({ title: 'Swimming in the lake' })
    expect(after.metadata_extraction.status).toBe('done')
  })

  it('a refusal (bad key) fails the request at once with the reason', async () => {
    const model = unique('extract-401')
    const e = withReasoningModel(model)
    const file = await processed(e, 'samples/markdown/duck.md')
    await script(model, [{ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } }])
    await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'the title' } })
    await drain(e)
    const after = await apiJson(e, 'GET', `/files/${file.id}`)
    expect(after.metadata).toEqual({})
    expect(after.metadata_extraction).toMatchObject({ status: 'failed' })
    expect(after.metadata_extraction.details).toMatch(/^No metadata was extracted, so the metadata was left as it was: The reasoning model ".+" failed: .*Incorrect API key/)
  })

  it('a job that reaches the dead-letter queue fails only the extraction, not the file', async () => {
    const model = unique('extract-dlq')
    const e = withReasoningModel(model)
    const file = await processed(e, 'samples/markdown/duck.md')
    await apiJson(e, 'PATCH', `/files/${file.id}/metadata`, { body: { instructions: 'the title' } })
    const job = e.jobs.shift()!
    const batch = createMessageBatch<QueueJob>('cairn-ingest-dlq', [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 6, body: job }])
    const ctx = createExecutionContext()
    await consumeIngestBatch(batch, buildDeps(e.appEnv))
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1)
    const after = await apiJson(e, 'GET', `/files/${file.id}`)
    expect(after.status).toBe('processed')
    expect(after.progress.chunks).toBeGreaterThan(0)
    expect(after.metadata_extraction).toMatchObject({ status: 'failed', details: expect.stringMatching(/after several attempts/) })
    expect(await chatCalls(model)).toEqual([])
  })
})

describe('without a reasoning model (the default test env)', () => {
  it('an upload with instructions is still processed, with a note that they were not applied', async () => {
    const form = uploadForm([['wiki.md', await fixtureBytes('samples/markdown/wiki.md')]], { workspace: w.ws, instructions: 'extract the company' })
    const file = await callJson('POST', '/files', { token: w.writer.token, form })
    expect(file.metadata_extraction).toMatchObject({ status: 'failed', details: expect.stringMatching(/no reasoning model is configured/) })
    const done = await waitForIngest(w.writer.token, file.id)
    expect(done.status).toBe('processed')
    expect(done.metadata).toEqual({})
    expect(done.metadata_extraction).toMatchObject({ status: 'failed', instructions: 'extract the company', details: expect.stringMatching(/^The instructions were not applied: no reasoning model is configured/) })
  })

  it('PATCH with instructions is 422 model_not_configured and changes nothing', async () => {
    const form = uploadForm([['duck.md', await fixtureBytes('samples/markdown/duck.md')]], { workspace: w.ws })
    const file = await callJson('POST', '/files', { token: w.writer.token, form })
    await waitForIngest(w.writer.token, file.id)
    const res = await call('PATCH', `/files/${file.id}/metadata`, { token: w.writer.token, body: { instructions: 'the title', x: 1 } })
    expect(res.status).toBe(422)
    const { error } = await res.json<any>()
    expect(error).toMatchObject({ param: 'instructions', code: 'model_not_configured' })
    expect(error.message).toMatch(/no reasoning model is configured \(set MODEL_PROVIDER and REASONING_MODEL\)/)
    const after = await callJson('GET', `/files/${file.id}`, { token: w.writer.token })
    expect(after.metadata).toEqual({})
    expect(after.metadata_extraction).toBeNull()
  })
})
