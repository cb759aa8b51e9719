/**
 * Usage, counted where the model calls happen and read back through `GET /usage`: a question's tokens
 * equal what the scripted model server reported, an ingested file's pages and bytes are counted once
 * (fan-out, redelivery and a racing last part included), who may see whose usage, and upserts that
 * never lose a count under concurrency.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app'
import type { AppEnv } from '../../src/config'
import { buildDeps } from '../../src/deps'
import { markProcessing, recordPlan } from '../../src/files/lifecycle'
import { storeUploads } from '../../src/files/upload'
import { storePart } from '../../src/ingest/chunk-store'
import type { IngestJob, QueueJob } from '../../src/ingest/jobs'
import { ingest } from '../../src/ingest/pipeline'
import { consumeIngestBatch } from '../../src/ingest/queue-consumer'
import { recordUsage, utcDay } from '../../src/usage/record'
import { ADMIN, call, callJson, createOrgWithWorkspace, createPerson, unique, uploadForm, waitForIngest } from './api-client'
import { fixtureBytes } from './fixtures'
import { received, script, server } from './model-server-client'
import { useRunEnv } from './run-env'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
const today = utcDay(Date.now())
const usage = (token: string, query = '') => callJson('GET', `/usage${query}`, { token })
/** What the scripted server counts as an input's tokens (test/model-server: words). */
const words = (texts: string[]) => texts.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0)

describe('a question', { timeout: 60_000 }, () => {
  it("counts the reasoning and embedding model's tokens as the model server reported them, against the asker and workspace", async () => {
    const w = await createOrgWithWorkspace()
    const reasoner = unique('reasoner')
    const embedder = unique('embedder')
    useRunEnv(w.ws, { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, REASONING_MODEL: reasoner, EMBEDDING_MODEL: embedder })
    const pdf = await fixtureBytes('samples/pdf/multi_page.pdf')
    const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['multi_page.pdf', pdf]], { workspace: w.ws }) })
    expect((await waitForIngest(w.writer.token, file.id)).status).toBe('processed')
    await script(reasoner, [
      { content: 'The first passage says enough.', usage: { prompt: 1234, completion: 56 } },
      { content: 'Christopher Latham Sholes patented it in 1868 [1].', usage: { prompt: 2345, completion: 78 } },
    ])

    const completion = await callJson('POST', '/chat/completions', {
      token: w.reader.token,
      body: { model: 'l0', workspace: w.ws, messages: [{ role: 'user', content: 'Who patented the typewriter in 1868?' }] },
    })
    expect(completion.usage).toEqual({ prompt_tokens: 1234 + 2345, completion_tokens: 56 + 78, total_tokens: 1234 + 2345 + 56 + 78 })
    expect(await received(reasoner)).toHaveLength(2)
    const embedded = (await received(embedder)).flatMap((r) => r.body.input as string[])
    expect(embedded.length).toBeGreaterThan(0)

    const report = await usage(w.reader.token, `?workspace=${w.ws}&group_by=day,user,workspace`)
    expect(report.data).toEqual([
      expect.objectContaining({
        day: today,
        user_id: w.reader.id,
        email: w.reader.email,
        workspace: w.ws,
        completions: 1,
        reasoning_calls: 2,
        reasoning_input_tokens: completion.usage.prompt_tokens,
        reasoning_output_tokens: completion.usage.completion_tokens,
        embedding_calls: (await received(embedder)).length,
        embedding_input_tokens: words(embedded),
        perception_input_tokens: 0,
        files_ingested: 0,
      }),
    ])
    expect(report.totals.reasoning_input_tokens).toBe(3579)
    expect(report.totals.reasoning_output_tokens).toBe(134)
    // The writer's upload is theirs, not the reader's.
    expect(report.stored).toEqual({ files: 0, bytes: 0, data: [] })
    const writer = await usage(w.writer.token, `?workspace=${w.ws}`)
    expect(writer.totals).toMatchObject({ completions: 0, reasoning_input_tokens: 0, files_ingested: 1, bytes_ingested: pdf.length })
  })

  it('counts a run whose model failed: tokens spent before the failure are spent', async () => {
    const w = await createOrgWithWorkspace()
    const reasoner = unique('reasoner')
    useRunEnv(w.ws, { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, REASONING_MODEL: reasoner })
    const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['note.txt', 'The typewriter was patented by Sholes in 1868.']], { workspace: w.ws }) })
    await waitForIngest(w.writer.token, file.id)
    await script(reasoner, [{ content: 'Enough.', usage: { prompt: 300, completion: 20 } }, { status: 400, body: { error: { message: 'refused' } } }])
    const completion = await callJson('POST', '/chat/completions', { token: w.writer.token, body: { model: 'l0', workspace: w.ws, messages: [{ role: 'user', content: 'typewriter' }] } })
    expect(completion.choices[0].message.reasoning_content).toMatch(/could not answer/)
    const report = await usage(w.writer.token, `?workspace=${w.ws}`)
    expect(report.totals).toMatchObject({ completions: 1, reasoning_calls: 1, reasoning_input_tokens: 300, reasoning_output_tokens: 20 })
  })
})

describe('a search', () => {
  it("counts the question's embedding against the asker, as the model server reported it", async () => {
    const w = await createOrgWithWorkspace()
    const embedder = unique('embed-query')
    const appEnv = { ...env, MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: embedder } as unknown as AppEnv
    const app = createApp(buildDeps)
    const ask = (query: string) =>
      app.request('/chat/completions', { method: 'POST', headers: { authorization: `Bearer ${w.reader.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'l0-retrieval', workspace: w.ws, messages: [{ role: 'user', content: query }] }) }, appEnv)
    for (const query of ['where do ducks nest', 'penguin colonies in winter']) expect((await ask(query)).status).toBe(200)
    const calls = await received(embedder)
    expect(calls).toHaveLength(2)
    const report = await usage(w.reader.token, `?workspace=${w.ws}&group_by=user`)
    expect(report.data).toEqual([expect.objectContaining({ user_id: w.reader.id, completions: 0, embedding_calls: 2, embedding_input_tokens: words(calls.flatMap((r) => r.body.input as string[])) })])
  })
})

describe('ingestion', { timeout: 90_000 }, () => {
  it("counts a file's pages and bytes once, through the real queue, and what is stored now", async () => {
    const w = await createOrgWithWorkspace()
    const bytes = await fixtureBytes('samples/pdf/tracemonkey.pdf')
    // 14 pages, five to a message: three parts, any of which may complete the file.
    const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['tracemonkey.pdf', bytes]], { workspace: w.ws }) })
    const done = await waitForIngest(w.writer.token, file.id, 60_000)
    expect(done.status, done.status_details).toBe('processed')
    expect(done.progress.pages_done).toBe(14)
    const report = await usage(w.writer.token, `?group_by=workspace`)
    expect(report.data).toEqual([expect.objectContaining({ workspace: w.ws, files_ingested: 1, pages_ingested: 14, bytes_ingested: bytes.length })])
    expect(report.stored).toEqual({ files: 1, bytes: bytes.length, data: [{ workspace: w.ws, files: 1, bytes: bytes.length }] })

    await callJson('DELETE', `/files/${file.id}?workspace=${w.ws}`, { token: w.writer.token })
    const after = await usage(w.writer.token)
    expect(after.totals.bytes_ingested).toBe(bytes.length)
    expect(after.stored).toEqual({ files: 0, bytes: 0 })
  })

  it("counts the embedding model's tokens against the uploader, and a redelivered message adds nothing", async () => {
    const w = await createOrgWithWorkspace()
    const embedder = unique('embed-usage')
    const jobs: IngestJob[] = []
    const queue = { send: async (body: IngestJob) => void jobs.push(body), sendBatch: async (m: Iterable<{ body: IngestJob }>) => void jobs.push(...[...m].map((x) => x.body)) }
    const deps = buildDeps({ ...env, MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: embedder, INGEST_QUEUE: queue } as unknown as AppEnv)
    const bytes = await fixtureBytes('samples/pdf/normal_4pages.pdf')
    const [row] = await storeUploads(deps, { orgId: w.writer.orgId, workspaceId: w.ws, userId: w.writer.id, purpose: 'user_data', metadata: {}, instructions: null }, [{ name: 'normal_4pages.pdf', bytes }])
    const delivered: IngestJob[] = []
    while (jobs.length > 0) {
      const job = jobs.shift()!
      delivered.push(job)
      await ingest(deps, job)
    }
    for (const job of delivered) await ingest(deps, job)

    const sent = (await received(embedder)).flatMap((r) => r.body.input as string[])
    expect(sent.length).toBeGreaterThan(0)
    const report = await usage(w.writer.token, `?workspace=${w.ws}`)
    expect(report.totals).toMatchObject({ embedding_input_tokens: words(sent), embedding_calls: (await received(embedder)).length, files_ingested: 1, pages_ingested: 4, bytes_ingested: row!.bytes })
  })

  it("counts metadata extraction's reasoning tokens against the uploader", async () => {
    const w = await createOrgWithWorkspace()
    const model = unique('extractor')
    const jobs: QueueJob[] = []
    const queue = { send: async (body: QueueJob) => void jobs.push(body), sendBatch: async (m: Iterable<{ body: QueueJob }>) => void jobs.push(...[...m].map((x) => x.body)) }
    const deps = buildDeps({ ...env, MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, REASONING_MODEL: model, INGEST_QUEUE: queue } as unknown as AppEnv)
    await script(model, [{ content: '{"title": "Ducks"}', usage: { prompt: 777, completion: 9 } }])
    const text = new TextEncoder().encode('Ducks swim in the lake all summer long.')
    await storeUploads(deps, { orgId: w.writer.orgId, workspaceId: w.ws, userId: w.writer.id, purpose: 'user_data', metadata: {}, instructions: 'extract the title' }, [{ name: 'ducks.txt', bytes: text }])
    for (let round = 0; jobs.length > 0 && round < 10; round++) {
      const batch = createMessageBatch<QueueJob>('cairn-ingest', jobs.splice(0).map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body })))
      await consumeIngestBatch(batch, deps)
      expect((await getQueueResult(batch, createExecutionContext())).retryMessages).toEqual([])
    }
    expect(await received(model)).toHaveLength(1)
    const report = await usage(w.writer.token, `?workspace=${w.ws}`)
    expect(report.totals).toMatchObject({ completions: 0, reasoning_calls: 1, reasoning_input_tokens: 777, reasoning_output_tokens: 9, files_ingested: 1, bytes_ingested: text.length })
  })

  it('two deliveries of the last part storing at once count the file once', async () => {
    const w = await createOrgWithWorkspace()
    const deps = buildDeps(env as unknown as AppEnv)
    const [row] = await storeUploads(deps, { orgId: w.writer.orgId, workspaceId: w.ws, userId: w.writer.id, purpose: 'user_data', metadata: {}, instructions: null }, [{ name: 'a.txt', bytes: new TextEncoder().encode('one two') }])
    await markProcessing(env.DB, row!.id)
    await recordPlan(env.DB, row!.id, { parts: 1, pages: null, pageBudget: null })
    const outcomes = await Promise.all([0, 1].map(() => storePart(deps, row!, 0, 0, [], null)))
    expect(outcomes.map((o) => o.status)).toEqual(['processed', 'processed'])
    expect((await usage(w.writer.token)).totals).toMatchObject({ files_ingested: 1, bytes_ingested: 7 })
  })
})

describe('who sees whose usage', () => {
  let w: World
  const day = (d: number) => Date.UTC(2025, 0, d)

  beforeAll(async () => {
    w = await createOrgWithWorkspace()
    const at = (userId: string, workspaceId: string, tokens: number, d: number) => recordUsage(env.DB, { orgId: w.admin.orgId, userId, workspaceId }, { reasoning_input_tokens: tokens }, day(d))
    await at(w.writer.id, 'default', 1, 10)
    await at(w.writer.id, w.ws, 10, 10)
    await at(w.writer.id, w.ws, 20, 11)
    await at(w.reader.id, w.ws, 100, 11)
    await at(w.admin.id, w.ws, 1000, 12)
    await at(w.outsider.id, 'default', 10000, 12)
  })

  const period = '?from=2025-01-01&to=2025-01-31'
  const tokens = (report: any) => report.totals.reasoning_input_tokens

  it('a user sees their own usage, per day', async () => {
    const report = await usage(w.writer.token, period)
    expect(report).toMatchObject({ object: 'list', from: '2025-01-01', to: '2025-01-31', group_by: ['day'] })
    expect(report.data.map((r: any) => [r.day, r.reasoning_input_tokens])).toEqual([['2025-01-10', 11], ['2025-01-11', 20]])
    expect(tokens(report)).toBe(31)
    expect(tokens(await usage(w.outsider.token, period))).toBe(10000)
  })

  it("a user may not see another's, unless they administer the workspace it is counted in", async () => {
    const refused = await call('GET', `/usage${period}&user=${w.writer.id}`, { token: w.reader.token })
    expect(refused.status).toBe(403)
    expect((await refused.json<any>()).error).toMatchObject({ param: 'user', type: 'permission_error' })
    expect((await call('GET', `/usage${period}&user=${w.writer.email}&workspace=default`, { token: w.admin.token })).status).toBe(403)

    // The workspace's admin sees the writer's usage in it, not in `default`.
    expect(tokens(await usage(w.admin.token, `${period}&user=${w.writer.email}`))).toBe(30)
    const byUser = await usage(w.admin.token, `${period}&group_by=user,workspace`)
    const expected = [
      [w.admin.id, w.admin.email, w.ws, 1000],
      [w.reader.id, w.reader.email, w.ws, 100],
      [w.writer.id, w.writer.email, w.ws, 30],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0])))
    expect(byUser.data.map((r: any) => [r.user_id, r.email, r.workspace, r.reasoning_input_tokens])).toEqual(expected)
    expect(tokens(byUser)).toBe(1130)
    expect(tokens(await usage(w.reader.token, `${period}&user=${w.reader.id}`))).toBe(100)
  })

  it('the admin token sees the whole org it names, and must name one', async () => {
    const all = await usage(ADMIN, `${period}&org=${w.org}&group_by=user`)
    expect(tokens(all)).toBe(11131)
    expect(all.data).toHaveLength(4)
    expect(tokens(await usage(ADMIN, `${period}&org=${w.admin.orgId}&workspace=default`))).toBe(10001)
    const missing = await call('GET', `/usage${period}`, { token: ADMIN })
    expect(missing.status).toBe(422)
    expect((await missing.json<any>()).error.param).toBe('org')
    const unknown = await call('GET', `/usage?org=${unique('no-org')}`, { token: ADMIN })
    expect(unknown.status).toBe(404)
    expect((await unknown.json<any>()).error.param).toBe('org')
  })

  it('another org, its users and workspaces do not exist for a user', async () => {
    const stranger = await createPerson(unique('org'))
    for (const [query, param] of [
      [`?user=${w.writer.id}`, 'user'],
      [`?workspace=${w.ws}`, 'workspace'],
      [`?org=${w.org}`, 'org'],
    ] as const) {
      const res = await call('GET', `/usage${query}`, { token: stranger.token })
      expect(res.status, query).toBe(404)
      expect((await res.json<any>()).error.param).toBe(param)
    }
    expect(tokens(await usage(stranger.token, `?org=${stranger.orgId}`))).toBe(0)
  })

  it('refuses periods and groupings that make no sense, naming the parameter', async () => {
    for (const [query, param] of [
      ['?from=2025-02-30', 'from'],
      ['?to=31-01-2025', 'to'],
      ['?from=2025-02-01&to=2025-01-01', 'from'],
      ['?from=2023-01-01&to=2025-01-01', 'from'],
      ['?group_by=month', 'group_by'],
      ['?group_by=day,', 'group_by'],
      ['?workspace=Not%20A%20Slug', 'workspace'],
    ] as const) {
      const res = await call('GET', `/usage${query}`, { token: w.writer.token })
      expect(res.status, query).toBe(422)
      expect((await res.json<any>()).error).toMatchObject({ param, type: 'invalid_request_error' })
    }
    expect((await call('GET', '/usage?workspace=no-such-ws', { token: w.writer.token })).status).toBe(404)
    // Odd but harmless input is answered, never with a 5xx.
    for (const query of ['?from=2025-01-01&from=2025-01-02', `?user=${encodeURIComponent("' OR 1=1 --")}`, `?org=${encodeURIComponent('ü'.repeat(100))}`, '?group_by=day,day,user', '?to=0000-01-01']) {
      const res = await call('GET', `/usage${query}`, { token: w.writer.token })
      expect(res.status, query).toBeLessThan(500)
      if (res.status >= 400) expect(Object.keys((await res.json<any>()).error).sort()).toEqual(['code', 'message', 'param', 'type'])
    }
    expect((await call('GET', '/usage', {})).status).toBe(401)
  })

  it('defaults to the last 30 days, today included', async () => {
    const report = await usage(w.writer.token)
    expect(report.to).toBe(today)
    expect(Date.parse(report.to) - Date.parse(report.from)).toBe(29 * 86_400_000)
    expect(report.data).toEqual([])
  })
})

describe('concurrent writers', () => {
  it('lose no count: every upsert adds', async () => {
    const w = await createOrgWithWorkspace()
    const owner = { orgId: w.writer.orgId, userId: w.writer.id, workspaceId: w.ws }
    await Promise.all(Array.from({ length: 60 }, (_, i) => recordUsage(env.DB, owner, { reasoning_calls: 1, reasoning_input_tokens: i + 1, audio_seconds: 0.5 })))
    const report = await usage(w.writer.token, `?workspace=${w.ws}`)
    expect(report.totals).toMatchObject({ reasoning_calls: 60, reasoning_input_tokens: (60 * 61) / 2, audio_seconds: 30 })
  })
})
