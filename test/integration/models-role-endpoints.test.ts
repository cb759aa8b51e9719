/**
 * Embeddings and rerank from endpoints of their own (EMBEDDING_BASE_URL, RERANK_BASE_URL) while the
 * provider is none, as `npm start` runs with the local model server: the instructions each model wants,
 * and what happens when the endpoint is down — search answers by keywords, ingestion keeps the file for
 * keyword search with a note, `/health` says lexical with a warning. "Down" is a port nothing listens on.
 */
import { createExecutionContext, env } from 'cloudflare:test'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/api/app'
import { readConfig, type AppEnv } from '../../src/config'
import { buildDeps, type Deps } from '../../src/deps'
import { storeUploads } from '../../src/files/upload'
import type { IngestJob } from '../../src/ingest/jobs'
import { ingest } from '../../src/ingest/pipeline'
import { buildModels, resolvePolicies } from '../../src/models'
import { callJson, createOrgWithWorkspace, unique, uploadForm, waitForIngestAll } from './api-client'
import { vectorCount } from './index-rows'
import { received, server } from './model-server-client'

const BGE_QUERY = 'Represent this sentence for searching relevant passages: '
/** Nothing listens here: connections are refused at once. */
const CLOSED = 'http://127.0.0.1:1/v1'
/** The scripted server answers 256 numbers whatever the model; EMBEDDING_DIMENSIONS says so. */
const DIMENSIONS = '256'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>

/** The env `npm start` gives both Workers: no provider, embeddings (and rerank) from their own endpoint. */
function localEnv(vars: Record<string, string>, extra: Record<string, unknown> = {}): AppEnv {
  return { ...env, MODEL_PROVIDER: 'none', EMBEDDING_DIMENSIONS: DIMENSIONS, ...vars, ...extra } as unknown as AppEnv
}

const quick = resolvePolicies({ embedding: { baseDelayMs: 1, attempts: 2, timeoutMs: 2_000 }, rerank: { baseDelayMs: 1, attempts: 2, timeoutMs: 2_000 } })

afterEach(() => {
  vi.restoreAllMocks()
})

describe('an embedding endpoint of its own, with provider none', () => {
  it('puts bge’s instruction before a query and never before a passage', async () => {
    const model = `${unique('owner')}/bge-small-en-v1.5`
    const models = buildModels(readConfig(localEnv({ EMBEDDING_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: model, EMBEDDING_API_KEY: 'sk-embed' })), {}, { policies: quick })
    expect(models.provider).toBe('none')
    expect(models.reasoning).toBeNull()
    await models.embedding!.embed(['Consolidated Statement of Cash Flows'])
    await models.embedding!.embedQuery('What was 3M’s capital expenditure in FY2018?')
    const [passage, query] = await received(model)
    expect(passage!.path).toBe('/v1/embeddings')
    expect(passage!.body.input).toEqual(['Consolidated Statement of Cash Flows'])
    expect(query!.body.input).toEqual([`${BGE_QUERY}What was 3M’s capital expenditure in FY2018?`])
    expect(query!.authorization).toBe('Bearer sk-embed')
  })

  it('puts e5’s "passage: " before passages and "query: " before queries', async () => {
    const model = `${unique('intfloat')}/e5-small-v2`
    const models = buildModels(readConfig(localEnv({ EMBEDDING_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: model })), {}, { policies: quick })
    await models.embedding!.embed(['a passage', 'another'])
    await models.embedding!.embedQuery('a question')
    const [passages, query] = await received(model)
    expect(passages!.body.input).toEqual(['passage: a passage', 'passage: another'])
    expect(query!.body.input).toEqual(['query: a question'])
  })

  it('sends nothing before either for all-MiniLM-L6-v2', async () => {
    const model = `${unique('st')}/all-MiniLM-L6-v2`
    const models = buildModels(readConfig(localEnv({ EMBEDDING_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: model })), {}, { policies: quick })
    await models.embedding!.embed(['a passage'])
    await models.embedding!.embedQuery('a question')
    expect((await received(model)).map((r) => r.body.input)).toEqual([['a passage'], ['a question']])
  })

  it('reranks through the rerank endpoint’s /rerank', async () => {
    const model = unique('ms-marco-MiniLM-L-6-v2')
    const models = buildModels(readConfig(localEnv({ RERANK_BASE_URL: `${server}/v1`, RERANK_MODEL: model, RERANK_API_KEY: 'sk-rerank' })), {}, { policies: quick })
    const ranked = await models.rerank!.rerank('penguin colonies', ['glaciers melt', 'penguin colonies on ice'])
    expect(ranked[0]!.index).toBe(1)
    const [call] = await received(model)
    expect(call).toMatchObject({ path: '/v1/rerank', authorization: 'Bearer sk-rerank', body: { model, query: 'penguin colonies', documents: ['glaciers melt', 'penguin colonies on ice'] } })
  })
})

describe('l0-retrieval through the API', () => {
  let w: World
  const QUESTION = 'Which birds breed on the winter sea ice?'

  beforeAll(async () => {
    w = await createOrgWithWorkspace()
    const form = uploadForm(
      [
        ['penguins.txt', 'Emperor penguins breed in winter on the sea ice of Antarctica.'],
        ['glaciers.txt', 'Glaciers carve valleys over millennia; the ice moves slowly.'],
        ['tax.txt', 'Tax forms are due in April.'],
      ],
      { workspace: w.ws },
    )
    const uploaded = await callJson('POST', '/files', { token: w.writer.token, form })
    const files = await waitForIngestAll(w.writer.token, w.ws, uploaded.map((f: { id: string }) => f.id))
    for (const f of files) expect(f.status, `${f.filename}: ${f.status_details}`).toBe('processed')
  }, 120_000)

  async function ask(appEnv: AppEnv): Promise<{ status: number; chunkIds: string[] }> {
    const res = await createApp(buildDeps).request(
      '/chat/completions',
      {
        method: 'POST',
        headers: { authorization: `Bearer ${w.reader.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'l0-retrieval', workspace: w.ws, messages: [{ role: 'user', content: QUESTION }] }),
      },
      appEnv,
      createExecutionContext(),
    )
    const text = await res.text()
    expect(res.status, text).toBe(200)
    return { status: res.status, chunkIds: JSON.parse(text).choices.map((c: { metadata: { chunk_id: string } }) => c.metadata.chunk_id) }
  }

  it('embeds the question with the model’s instruction when the endpoint is up', async () => {
    const model = `${unique('baai')}/bge-small-en-v1.5`
    await ask(localEnv({ EMBEDDING_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: model }))
    const calls = await received(model)
    expect(calls.map((c) => c.body.input)).toEqual([[`${BGE_QUERY}${QUESTION}`]])
  })

  it('answers 200 with the keyword results when the embedding endpoint is down, logs why, and skips it for a while', async () => {
    const lexical = await ask(localEnv({}))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const down = localEnv({ EMBEDDING_BASE_URL: CLOSED, EMBEDDING_MODEL: unique('down') })
    const first = await ask(down)
    expect(first.chunkIds).toEqual(lexical.chunkIds)
    expect(first.chunkIds.length).toBeGreaterThan(0)
    const logged = warn.mock.calls.map((args) => String(args[0]))
    expect(logged).toEqual(['the vector arm failed; this search is lexical only'])
    expect(String(warn.mock.calls[0]![1])).toMatch(/could not|failed/i)
    // The next question does not wait out the retries again.
    const started = Date.now()
    const second = await ask(down)
    expect(second.chunkIds).toEqual(lexical.chunkIds)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(Date.now() - started).toBeLessThan(1_000)
  })

  it('keeps the fused order when the rerank endpoint is down', async () => {
    const lexical = await ask(localEnv({}))
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    const down = await ask(localEnv({ RERANK_BASE_URL: CLOSED, RERANK_MODEL: unique('rerank-down') }))
    expect(down.chunkIds).toEqual(lexical.chunkIds)
    expect(warn.mock.calls.map((args) => String(args[0]))).toEqual(['rerank failed; keeping the fused order'])
  })
})

describe('ingestion while the embedding endpoint is down', () => {
  it('ends the file processed, searchable by keywords, with a note saying why', async () => {
    const w = await createOrgWithWorkspace()
    const jobs: IngestJob[] = []
    const queue = {
      send: async (body: IngestJob) => void jobs.push(body),
      sendBatch: async (messages: Iterable<{ body: IngestJob }>) => void jobs.push(...[...messages].map((m) => m.body)),
    }
    const appEnv = localEnv({ EMBEDDING_BASE_URL: CLOSED, EMBEDDING_MODEL: unique('embed-down') }, { INGEST_QUEUE: queue })
    const built = buildDeps(appEnv)
    // Quick retries, so the test does not wait out the production backoff.
    const deps: Deps = { ...built, models: buildModels(built.config, {}, { policies: quick }) }
    expect(deps.models.embedding).not.toBeNull()
    const [file] = await storeUploads(deps, { orgId: w.writer.orgId, workspaceId: w.ws, userId: w.writer.id, purpose: 'user_data', metadata: {}, instructions: null }, [
      { name: 'krill.md', bytes: new TextEncoder().encode('# Krill\n\nAntarctic krill swarm under the sea ice in winter.') },
    ])
    while (jobs.length > 0) await ingest(deps, jobs.shift()!)

    const row = await env.DB.prepare('SELECT status, status_details FROM files WHERE id = ?').bind(file!.id).first<{ status: string; status_details: string | null }>()
    expect(row!.status).toBe('processed')
    expect(row!.status_details).toMatch(/^Indexed for keyword search only: nothing answered at the embedding endpoint \(The embedding model ".+" failed after 2 attempts: .+\)\. Upload the file again once it answers/)
    expect(await vectorCount(file!.id)).toBe(0)
    const found = await callJson('POST', '/v1/chat/completions', { token: w.reader.token, body: { model: 'l0-retrieval', workspace: w.ws, messages: [{ role: 'user', content: 'krill swarm' }] } })
    expect(found.choices[0].metadata.file_id).toBe(file!.id)
  })
})

describe('GET /health reports how search runs', () => {
  const health = async (appEnv: AppEnv) => {
    const res = await createApp(buildDeps).request('/health', {}, appEnv)
    expect(res.status).toBe(200)
    return ((await res.json()) as { search: unknown; status: string }).search
  }

  it('lexical with a warning when the configured endpoints do not answer, and still 200', async () => {
    const embedding = unique('health-down')
    const rerank = unique('health-rerank-down')
    const search = await health(localEnv({ EMBEDDING_BASE_URL: CLOSED, EMBEDDING_MODEL: embedding, RERANK_BASE_URL: CLOSED, RERANK_MODEL: rerank }))
    expect(search).toEqual({ mode: 'lexical', semantic: 'unavailable', rerank: 'unavailable', warning: expect.stringContaining(`The embedding model "${embedding}" does not answer`) })
    // Why it does not answer depends on how the closed port fails on this machine at this moment: a
    // connection that hangs (no answer within 2000 ms) or one refused at once (connection lost).
    expect((search as { warning: string }).warning).toMatch(/does not answer \((.+)\); search is lexical only until it does\. The rerank model ".+" does not answer \(.+\); results keep the fused order until it does\.$/)
    expect((search as { warning: string }).warning).not.toContain('127.0.0.1')
  })

  it('hybrid when the embedding endpoint answers, probing it once for many polls', async () => {
    const embedding = unique('health-up')
    const rerank = unique('health-rerank-up')
    const appEnv = localEnv({ EMBEDDING_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: embedding, RERANK_BASE_URL: `${server}/v1`, RERANK_MODEL: rerank })
    expect(await health(appEnv)).toEqual({ mode: 'hybrid', semantic: 'ok', rerank: 'ok', warning: null })
    expect(await health(appEnv)).toEqual({ mode: 'hybrid', semantic: 'ok', rerank: 'ok', warning: null })
    expect(await received(embedding)).toHaveLength(1)
    expect(await received(rerank)).toHaveLength(1)
  })

  it('lexical without a warning when no embedding model is configured', async () => {
    expect(await health(localEnv({}))).toEqual({ mode: 'lexical', semantic: 'off', rerank: 'off', warning: null })
  })
})
