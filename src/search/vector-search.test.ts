import { describe, expect, it } from 'vitest'
import { parseFilter, VECTORIZE_INDEXED_FIELDS, vectorFilterMetadata } from '../filter'
import type { Embedder } from '../models/ports'
import { fakeVectorize } from './vector-fake-vectorize'
import { semanticArms, semanticSearch } from './vector-search'
import { pageVectorId } from './vector-store'
import { vectorizeStore } from './vector-vectorize'

const WORDS = ['penguin', 'glacier', 'volcano', 'tax', 'invoice', 'duck']

/** One dimension per word: a text points at the words it contains. */
function wordEmbedder(): Embedder & { queries: string[] } {
  const vector = (text: string) => Float32Array.from(WORDS.map((w) => (text.toLowerCase().includes(w) ? 1 : 0.01)))
  const queries: string[] = []
  return {
    modelId: 'words',
    dimensions: WORDS.length,
    batchSize: 10,
    queries,
    embed: async (texts) => texts.map(vector),
    embedQuery: async (text) => {
      queries.push(text)
      return vector(text)
    },
  }
}

async function world() {
  const index = fakeVectorize({ dimensions: WORDS.length, metadataIndexes: VECTORIZE_INDEXED_FIELDS })
  const vectors = vectorizeStore(index)
  const embedder = wordEmbedder()
  const chunks = [
    { id: 'f1:p1:0', text: 'penguin colonies', file: 'f1', page: 1, modality: 'text' },
    { id: 'f1:p2:0', text: 'penguin and glacier', file: 'f1', page: 2, modality: 'text' },
    { id: 'f2:p1:0', text: 'penguin invoice table', file: 'f2', page: 1, modality: 'table' },
    { id: 'f3:d:0', text: 'volcano', file: 'f3', page: null, modality: 'text' },
  ]
  await vectors.upsert(
    { orgId: 'org-1', workspaceId: 'default' },
    await Promise.all(
      chunks.map(async (c) => ({
        id: c.id,
        values: (await embedder.embed([c.text]))[0]!,
        metadata: vectorFilterMetadata({ file_id: c.file, purpose: 'user_data', created_at: 1_700_000_000, modality: c.modality, page: c.page }),
      })),
    ),
  )
  // Another workspace's vector, closer to every query than anything above.
  await vectors.upsert({ orgId: 'org-1', workspaceId: 'other' }, [{ id: 'other:0', values: Float32Array.from(WORDS.map(() => 1)), metadata: {} }])
  return { index, deps: { models: { embedding: embedder }, vectors }, embedder }
}

const request = { orgId: 'org-1', workspaceId: 'default', topK: 3 }

describe('semanticSearch', () => {
  it('names the closest chunks of the workspace, best first', async () => {
    const { deps, embedder } = await world()
    const result = await semanticSearch(deps, { ...request, query: 'Where do penguins meet glaciers?' })
    expect(result.enabled).toBe(true)
    expect(result.hits[0]!.chunkId).toBe('f1:p2:0')
    expect(result.hits.map((h) => h.chunkId)).not.toContain('other:0')
    expect(result.residual).toBeNull()
    expect(embedder.queries).toEqual(['Where do penguins meet glaciers?'])
  })

  it('pushes what Vectorize can apply and fetches exactly topK when nothing is left over', async () => {
    const { deps, index } = await world()
    const filter = parseFilter('modality = "table" or modality = "image"', { chunkAttributes: true })
    const result = await semanticSearch(deps, { ...request, query: 'penguin', filter })
    expect(result.pushed).toEqual({ modality: { $in: ['table', 'image'] } })
    expect(result.residual).toBeNull()
    expect(result.hits.map((h) => h.chunkId)).toEqual(['f2:p1:0'])
    expect(index.calls.at(-1)!.options).toMatchObject({ topK: 6 })
  })

  it('returns the residual and over-fetches when part of the filter stays behind', async () => {
    const { deps, index } = await world()
    const filter = parseFilter('page >= 2 and author = "hegel"', { chunkAttributes: true })
    const result = await semanticSearch(deps, { ...request, query: 'penguin', filter })
    expect(result.pushed).toEqual({ page: { $gte: 2 } })
    expect(result.residual).not.toBeNull()
    expect(result.hits.map((h) => h.chunkId)).toEqual(['f1:p2:0'])
    // Over-fetched for the residual, and twice that: chunks' and pages' vectors share the namespace.
    expect(index.calls.at(-1)!.options).toMatchObject({ topK: 24 })
  })

  it('is off without an embedding model, and so is the arm', async () => {
    const { deps } = await world()
    const off = { ...deps, models: { embedding: null } }
    expect(await semanticSearch(off, { ...request, query: 'penguin' })).toMatchObject({ hits: [], enabled: false })
    expect(semanticArms(off)).toEqual([])
  })

  it('gives retrieve() a chunk arm and a page arm that answer its requests from one query', async () => {
    const { deps, embedder } = await world()
    // f1's page 2 as a whole: its own vector, under its first chunk's id.
    await deps.vectors.upsert({ orgId: 'org-1', workspaceId: 'default' }, [
      { id: pageVectorId('f1:p2:0'), values: (await embedder.embed(['volcano and penguin page']))[0]!, metadata: vectorFilterMetadata({ file_id: 'f1', purpose: 'user_data', created_at: 1_700_000_000, modality: 'text', page: 2 }) },
    ])
    const [chunks, pages] = semanticArms(deps)
    expect([chunks!.phase, pages!.phase]).toEqual(['vector', 'page'])
    const armRequest = { orgId: 'org-1', workspaceId: 'default', query: 'volcano', filter: null, limit: 2 }
    const [chunkHits, pageHits] = await Promise.all([chunks!.search(armRequest), pages!.search(armRequest)])
    expect(chunkHits).toHaveLength(2)
    expect(chunkHits[0]!.chunkId).toBe('f3:d:0')
    expect(chunkHits.map((h) => h.chunkId)).not.toContain(pageVectorId('f1:p2:0'))
    expect(pageHits.map((h) => h.chunkId)).toEqual(['f1:p2:0'])
    expect(embedder.queries).toEqual(['volcano'])
  })
})
