/**
 * Reranking in retrieval: files uploaded and indexed through the API, `retrieve` with `rerankWith` over
 * an OpenAI-compatible reranker served by the scripted model server (test/model-server). The reranker's
 * order wins over the fused one; a reranker that fails leaves the fused order and is reported.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { resolvePolicies, type ModelCallError } from '../../src/models'
import { openAiCompatibleModels } from '../../src/models/openai-compatible'
import { rerankDocument, rerankWith } from '../../src/search/rerank'
import type { AppEnv } from '../../src/config'
import { buildDeps } from '../../src/deps'
import { retrieve, type RetrieveRequest } from '../../src/search/retrieve'
import { callJson, createOrgWithWorkspace, unique, uploadForm, waitForIngestAll } from './api-client'
import { server, script, received } from './model-server-client'




/** A reranker on the scripted server, retried quickly so a failing one does not slow the test. */
function reranker(model: string) {
  const policies = resolvePolicies({ rerank: { baseDelayMs: 1, timeoutMs: 2_000 } })
  const config = { models: { reasoning: null, embedding: null, vision: null, speech: null, rerank: model }, openAiBaseUrl: `${server}/v1`, openAiApiKey: null, embeddingDimensions: null }
  return openAiCompatibleModels(config, { policies }).rerank
}

const FILES: Array<[string, string]> = [
  ['bees.txt', 'Honeybees dance to tell the hive where the flowers are. A waggle dance points at the nectar.'],
  ['wasps.txt', 'Wasps build paper nests; unlike honeybees they do not dance, but the nest is busy with flowers nearby.'],
  ['garden.txt', 'A garden guide: which flowers feed bees in spring, and why a honeybee visits the same flowers again.'],
  ['orchard.txt', 'Orchards hire hives of honeybees at blossom time, since the flowers need them.'],
]

let request: RetrieveRequest

beforeAll(async () => {
  const w = await createOrgWithWorkspace()
  const uploaded = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm(FILES, { workspace: w.ws }) })
  const ids = (Array.isArray(uploaded) ? uploaded : [uploaded]).map((f: { id: string }) => f.id)
  const files = await waitForIngestAll(w.writer.token, w.ws, ids)
  for (const f of files) expect(f.status, `${f.filename}: ${f.status_details}`).toBe('processed')
  request = { orgId: w.admin.orgId, workspaceId: w.ws, query: 'honeybees flowers dance', topK: 3 }
}, 120_000)

/** The fused order without a reranker: the order the candidates reach the reranker in. */
async function fusedOrder() {
  const all = await retrieve(buildDeps(env as unknown as AppEnv), { ...request, topK: 50 })
  expect(all.length).toBe(FILES.length)
  return all
}

describe('retrieve with a reranker', () => {
  it('returns the reranker’s order, with its scores, cut to top_k', async () => {
    const fused = await fusedOrder()
    const model = unique('rerank')
    // The reverse of the fused order: whatever BM25 thought, the reranker's word is final.
    const results = fused.map((_, i) => ({ index: fused.length - 1 - i, relevance_score: 0.9 - i * 0.1 }))
    await script(model, [{ body: { results } }])
    const phases: string[] = []
    const top = await retrieve(buildDeps(env as unknown as AppEnv), request, {
      rerank: rerankWith(reranker(model)),
      time: async (phase, run) => (phases.push(phase), run()),
    })
    expect(phases).toEqual(['lexical', 'fuse', 'rerank'])
    expect(top.map((h) => h.chunkId)).toEqual([...fused].reverse().slice(0, 3).map((h) => h.chunkId))
    expect(top.map((h) => h.score)).toEqual([0.9, 0.8, 0.7].map((s) => expect.closeTo(s, 10)))

    const [call] = await received(model)
    expect(call!.path).toBe('/v1/rerank')
    expect(call!.body).toMatchObject({ model, query: request.query, documents: fused.map(rerankDocument) })
    expect((call!.body as { documents: string[] }).documents[0]).toMatch(/^\w+\.txt\n\n/)
  })

  it('keeps the fused order when the reranker fails, and reports the failure', async () => {
    const fused = await fusedOrder()
    const model = unique('rerank-down')
    await script(model, [{ status: 503 }, { status: 503 }, { status: 503 }])
    const failures: unknown[] = []
    const top = await retrieve(buildDeps(env as unknown as AppEnv), request, { rerank: rerankWith(reranker(model), { onError: (e) => failures.push(e) }) })
    expect(top.map((h) => h.chunkId)).toEqual(fused.slice(0, 3).map((h) => h.chunkId))
    expect(top.map((h) => h.score)).toEqual(fused.slice(0, 3).map((h) => h.score))
    expect(failures).toHaveLength(1)
    expect((failures[0] as ModelCallError).status).toBe(503)
    expect(await received(model)).toHaveLength(3)
  })
})
