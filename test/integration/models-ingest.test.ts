/**
 * Embeddings at ingestion, end to end in workerd: MODEL_PROVIDER=openai with EMBEDDING_MODEL pointed
 * at the scripted model server, deps built from that env by `buildDeps`, a real fixture uploaded and
 * ingested, vectors checked in the D1 vector store, found again by `semanticSearch`, and removed with
 * their file and workspace. The other tests keep the default env (provider none).
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../src/api/app'
import type { AppEnv } from '../../src/config'
import { buildDeps, type Deps } from '../../src/deps'
import { parseFilter, vectorFilterMetadata } from '../../src/filter'
import { storeUploads } from '../../src/files/upload'
import { contextualText } from '../../src/ingest/embed-step'
import type { IngestJob } from '../../src/ingest/jobs'
import { failFile } from '../../src/ingest/fail-file'
import { ingest } from '../../src/ingest/pipeline'
import type { Chunk } from '../../src/ingest/segment'
import { resolvePolicies } from '../../src/models'
import { openAiCompatibleModels } from '../../src/models/openai-compatible'
import { semanticSearch } from '../../src/search/vector-search'
import { pageVectorChunk, pageVectorId } from '../../src/search/vector-store'
import { readPlacement } from '../../src/search/shards/placement'
import { call, callJson, createOrgWithWorkspace, unique, uploadText, waitForIngest } from './api-client'
import { server, script, received } from './model-server-client'
import { fixtureBytes } from './fixtures'
import { indexRows, type At } from './index-rows'


type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
type ChunkRow = { id: string; text: string; page: number | null; modality: string; heading: string | null }
type VectorRow = { id: string; file_id: string; dimensions: number; metadata: string }

/** Deps as the composition root builds them for this env, with a queue that hands its messages to the test. */
function openAiDeps(model: string) {
  const jobs: IngestJob[] = []
  const queue = {
    send: async (body: IngestJob) => void jobs.push(body),
    sendBatch: async (messages: Iterable<{ body: IngestJob }>) => void jobs.push(...[...messages].map((m) => m.body)),
  }
  const appEnv = { ...env, MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: model, INGEST_QUEUE: queue } as unknown as AppEnv
  return { appEnv, deps: buildDeps(appEnv), jobs }
}

/** Runs the queued messages (and any a big PDF fans out into) the way the consumer would. */
async function drain(deps: Deps, jobs: IngestJob[]): Promise<void> {
  while (jobs.length > 0) await ingest(deps, jobs.shift()!)
}

async function upload(deps: Deps, w: World, name: string, bytes: Uint8Array, workspaceId = w.ws) {
  const [row] = await storeUploads(deps, { orgId: w.writer.orgId, workspaceId, userId: w.writer.id, purpose: 'user_data', metadata: {}, instructions: null }, [{ name, bytes }])
  return row!
}

async function chunksOf(fileId: string): Promise<ChunkRow[]> {
  return indexRows<ChunkRow>(fileId, 'SELECT id, text, page, modality, heading FROM chunks WHERE file_id = ? ORDER BY part, position')
}

/** The file's vectors wherever its workspace keeps them (D1's table, or its shard: index-rows.ts). */
async function vectorsOf(fileId: string, at?: At): Promise<VectorRow[]> {
  return indexRows<VectorRow>(fileId, 'SELECT id, file_id, dimensions, metadata FROM vectors WHERE file_id = ? ORDER BY id', [fileId], at)
}



/** Words of a chunk that no other chunk of the file has: a query made of them describes that chunk only. */
function distinctiveQuery(chunks: ChunkRow[], target: ChunkRow): string {
  const words = (text: string) => new Set(text.toLowerCase().match(/\p{L}{3,}/gu) ?? [])
  const elsewhere = new Set(chunks.filter((c) => c.id !== target.id).flatMap((c) => [...words(c.text)]))
  const own = [...words(target.text)].filter((word) => !elsewhere.has(word))
  expect(own.length, 'the chunk has words of its own').toBeGreaterThan(2)
  return own.slice(0, 8).join(' ')
}

let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

describe('chunks are embedded at ingestion', () => {
  const model = unique('embed-ingest')
  let deps: Deps
  let jobs: IngestJob[]
  let fileId: string

  beforeAll(async () => {
    ;({ deps, jobs } = openAiDeps(model))
    const file = await upload(deps, w, 'normal_4pages.pdf', await fixtureBytes('samples/pdf/normal_4pages.pdf'))
    fileId = file.id
    await drain(deps, jobs)
  })

  it('writes one vector per chunk and one per page, in the workspace namespace, with the filterable metadata', async () => {
    const file = await callJson('GET', `/files/${fileId}?workspace=${w.ws}`, { token: w.writer.token })
    expect(file.status, file.status_details).toBe('processed')
    const chunks = await chunksOf(fileId)
    const vectors = await vectorsOf(fileId)
    expect(chunks.length).toBeGreaterThan(3)
    // A page's own vector goes under its first chunk's id, with `~p`.
    const firstOfPage = new Map<number, string>()
    for (const c of chunks) if (c.page !== null && !firstOfPage.has(c.page)) firstOfPage.set(c.page, c.id)
    expect(firstOfPage.size).toBe(4)
    expect(vectors.map((v) => v.id)).toEqual([...chunks.map((c) => c.id), ...[...firstOfPage.values()].map(pageVectorId)].sort())
    const byId = new Map(chunks.map((c) => [c.id, c]))
    for (const vector of vectors) {
      const chunk = byId.get(pageVectorChunk(vector.id) ?? vector.id)!
      expect(vector).toMatchObject({ file_id: fileId, dimensions: 256 })
      expect(JSON.parse(vector.metadata)).toEqual(vectorFilterMetadata({ file_id: fileId, purpose: 'user_data', created_at: file.created_at, modality: chunk.modality, page: chunk.page }))
    }
  })

  it('sent each chunk with its file name, page title and page before the text, in batches', async () => {
    const calls = (await received(model)).filter((c) => c.path === '/v1/embeddings')
    const inputs = calls.flatMap((c) => (c.body as { input: string[] }).input)
    const chunks = await chunksOf(fileId)
    expect(inputs).toHaveLength(chunks.length + new Set(chunks.map((c) => c.page)).size)
    expect(calls.every((c) => (c.body as { input: string[] }).input.length <= 64)).toBe(true)
    const first = chunks[0]!
    // A PDF page's heading is its title, read off its first lines (page-titles.ts).
    const title = first.heading ? ` · ${first.heading}` : ''
    expect(inputs).toContain(`normal_4pages.pdf${title} · page ${first.page}\n\n${first.text}`)
  })

  it('lets semanticSearch find the chunk a question describes, and push a filter down', async () => {
    const chunks = await chunksOf(fileId)
    const target = chunks.find((c) => c.page === 3) ?? chunks[Math.floor(chunks.length / 2)]!
    const query = distinctiveQuery(chunks, target)
    const found = await semanticSearch(deps, { orgId: w.writer.orgId, workspaceId: w.ws, query, topK: 5 })
    expect(found.enabled).toBe(true)
    expect(found.hits[0]!.chunkId).toBe(target.id)
    expect(found.hits[0]!.score).toBeGreaterThan(found.hits[1]?.score ?? -1)

    const elsewhere = target.page === 1 ? 2 : 1
    const filtered = await semanticSearch(deps, { orgId: w.writer.orgId, workspaceId: w.ws, query, topK: 5, filter: parseFilter(`page = ${elsewhere}`, { chunkAttributes: true }) })
    expect(filtered.pushed).toEqual({ page: { $eq: elsewhere } })
    expect(filtered.residual).toBeNull()
    expect(filtered.hits.length).toBeGreaterThan(0)
    const pages = new Map(chunks.map((c) => [c.id, c.page]))
    for (const hit of filtered.hits) expect(pages.get(hit.chunkId)).toBe(elsewhere)

    // Another workspace of the same org sees none of it.
    const other = await semanticSearch(deps, { orgId: w.writer.orgId, workspaceId: 'default', query, topK: 5 })
    expect(other.hits.map((h) => h.chunkId)).not.toContain(target.id)
  })

  it('re-ingesting the file overwrites its vectors instead of adding more', async () => {
    const before = await vectorsOf(fileId)
    const callsBefore = (await received(model)).length
    await env.DB.prepare("UPDATE files SET status = 'uploaded' WHERE id = ?").bind(fileId).run()
    await env.DB.prepare('DELETE FROM file_parts WHERE file_id = ?').bind(fileId).run()
    jobs.push({ fileId, orgId: w.writer.orgId, workspaceId: w.ws })
    await drain(deps, jobs)
    expect((await received(model)).length).toBeGreaterThan(callsBefore)
    expect((await vectorsOf(fileId)).map((v) => v.id)).toEqual(before.map((v) => v.id))
  })

  it('deleting the file through the API removes its vectors', async () => {
    expect((await vectorsOf(fileId)).length).toBeGreaterThan(0)
    await callJson('DELETE', `/files/${fileId}?workspace=${w.ws}`, { token: w.writer.token })
    expect(await vectorsOf(fileId, { orgId: w.writer.orgId, workspaceId: w.ws })).toEqual([])
  })
})

describe('vectors leave with their workspace', () => {
  it('deleting a workspace removes the vectors of all its files', async () => {
    const { deps, jobs } = openAiDeps(unique('embed-ws'))
    const ws = unique('ws')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id: ws, name: 'Doomed' } })
    await call('POST', `/workspaces/${ws}/user`, { token: w.admin.token, body: { user: w.writer.id, access: 'writer' } })
    const a = await upload(deps, w, 'duck.md', await fixtureBytes('samples/markdown/duck.md'), ws)
    const b = await upload(deps, w, 'nested.md', await fixtureBytes('samples/markdown/nested.md'), ws)
    await drain(deps, jobs)
    expect((await vectorsOf(a.id)).length).toBeGreaterThan(0)
    expect((await vectorsOf(b.id)).length).toBeGreaterThan(0)
    const at = { orgId: w.writer.orgId, workspaceId: ws, layout: await readPlacement(env.DB, w.writer.orgId, ws) }
    const res = await call('DELETE', `/workspaces/${ws}`, { token: w.admin.token })
    expect(res.status).toBe(204)
    expect(await vectorsOf(a.id, at)).toEqual([])
    expect(await vectorsOf(b.id, at)).toEqual([])
  })
})

describe('vectors leave with a failed file', () => {
  it('a file failed by the dead-letter queue after parts were embedded keeps no vectors', async () => {
    const { deps, jobs } = openAiDeps(unique('embed-dlq'))
    const file = await upload(deps, w, 'duck.md', await fixtureBytes('samples/markdown/duck.md'))
    await drain(deps, jobs)
    expect((await vectorsOf(file.id)).length).toBeGreaterThan(0)
    await failFile(deps, file.id, 'Cairn could not process this file after several attempts.')
    expect(await vectorsOf(file.id)).toEqual([])
    expect(await chunksOf(file.id)).toEqual([])
  })
})

describe('when the embedding model fails', () => {
  /** As `openAiDeps`, but with quick retries, so the test does not wait out the production backoff. */
  function quickDeps(model: string) {
    const built = openAiDeps(model)
    const policies = resolvePolicies({ embedding: { baseDelayMs: 1, attempts: 2 } })
    const models = openAiCompatibleModels(built.deps.config, { policies })
    return { ...built, deps: { ...built.deps, models } }
  }

  it('a passing failure fails the message before anything is stored, and the retry completes the file', async () => {
    const model = unique('embed-down')
    await script(model, [{ status: 503 }, { status: 503 }])
    const { deps, jobs } = quickDeps(model)
    const file = await upload(deps, w, 'note.md', new TextEncoder().encode('# Penguins\n\nEmperor penguins breed in winter on the sea ice.'))
    const job = jobs.shift()!
    await expect(ingest(deps, job)).rejects.toThrow(/503/)
    expect((await env.DB.prepare('SELECT status FROM files WHERE id = ?').bind(file.id).first<{ status: string }>())!.status).toBe('processing')
    expect(await chunksOf(file.id)).toEqual([])
    // The queue redelivers; the server answers now.
    await ingest(deps, job)
    expect((await env.DB.prepare('SELECT status FROM files WHERE id = ?').bind(file.id).first<{ status: string }>())!.status).toBe('processed')
    expect((await vectorsOf(file.id)).map((v) => v.id)).toEqual((await chunksOf(file.id)).map((c) => c.id).sort())
  })

  it('a refusal keeps the file, searchable by keywords, and says why in status_details', async () => {
    const model = unique('embed-refuses')
    await script(model, [{ status: 401, body: { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } } }])
    const { deps, jobs } = quickDeps(model)
    const file = await upload(deps, w, 'refused.md', new TextEncoder().encode('# Glaciers\n\nGlaciers carve valleys over millennia.'))
    await drain(deps, jobs)
    const row = await env.DB.prepare('SELECT status, status_details FROM files WHERE id = ?').bind(file.id).first<{ status: string; status_details: string }>()
    expect(row!.status).toBe('processed')
    expect(row!.status_details).toMatch(/^Indexed for keyword search only: The embedding model ".+" failed: .*Incorrect API key/)
    expect((await chunksOf(file.id)).length).toBeGreaterThan(0)
    expect(await vectorsOf(file.id)).toEqual([])
  })
})

describe('without an embedding model', () => {
  it('ingestion writes no vectors (the default test env has provider none)', async () => {
    const file = await uploadText(w.writer.token, w.ws, `${unique('plain')}.txt`, 'Nothing here is embedded, only indexed for keywords.')
    const done = await waitForIngest(w.writer.token, file.id)
    expect(done.status).toBe('processed')
    expect((await chunksOf(file.id)).length).toBe(1)
    expect(await vectorsOf(file.id)).toEqual([])
  })
})

describe('GET /health reports the roles that are served', () => {
  it('provider openai with only an embedding model: embedding on, the rest off, vectors in D1', async () => {
    const { appEnv } = openAiDeps('health-embedder')
    const res = await createApp(buildDeps).request('/health', {}, appEnv)
    expect(res.status).toBe(200)
    const health = (await res.json()) as any
    expect(health.models.provider).toBe('openai')
    expect(health.models.roles.embedding).toEqual({ configured: true, model: 'health-embedder' })
    for (const role of ['reasoning', 'vision', 'speech', 'rerank']) expect(health.models.roles[role]).toEqual({ configured: false, model: null })
    expect(health.vector_store).toBe('d1')
  })
})

describe('contextualText', () => {
  const chunk = (provenance: Chunk['provenance']): Chunk => ({ id: 'c', fileId: 'f', index: 0, text: 'body', provenance, charStart: 0, charEnd: 4, tokenCount: 1 })

  it('says where the chunk comes from before its text', () => {
    expect(contextualText('guide.md', chunk({ modality: 'text', heading: ['Install', 'Linux'] }))).toBe('guide.md · Install > Linux\n\nbody')
    expect(contextualText('deck.pptx', chunk({ modality: 'text', page: 4, heading: ['Roadmap'] }))).toBe('deck.pptx · Roadmap · page 4\n\nbody')
    expect(contextualText('q3.xlsx', chunk({ modality: 'table', sheet: 'Revenue', rows: [2, 40] }))).toBe('q3.xlsx · sheet Revenue · rows 2–40\n\nbody')
    expect(contextualText('call.mp3', chunk({ modality: 'audio', startTime: 65, endTime: 92.5 }))).toBe('call.mp3 · 1:05–1:32\n\nbody')
  })

  it('keeps the prefix short whatever the heading', () => {
    const text = contextualText('a.md', chunk({ modality: 'text', heading: ['x'.repeat(1000)] }))
    expect(text.indexOf('\n\n')).toBeLessThanOrEqual(300)
  })
})
