/**
 * The D1 vector store against real local D1: upsert, replace, delete, paged brute-force search, and
 * the same answers as Vectorize (its in-memory fake) for the same vectors and filters.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import { VECTORIZE_INDEXED_FIELDS, vectorFilterMetadata, type VectorizeFilter } from '../../src/filter'
import { d1VectorStore } from '../../src/search/vector-d1'
import { SnapshotBuilder, SnapshotCache } from '../../src/search/vector-snapshots'
import { fakeVectorize } from '../../src/search/vector-fake-vectorize'
import type { VectorRecord, VectorSpace } from '../../src/search/vector-store'
import { vectorizeStore } from '../../src/search/vector-vectorize'
import { unique } from './api-client'

const DIMENSIONS = 16

/** A deterministic pseudo-random vector per seed. */
function vectorOf(seed: number): Float32Array {
  let x = seed * 2654435761
  return Float32Array.from({ length: DIMENSIONS }, () => {
    x = (Math.imul(x ^ (x >>> 15), 2246822507) + 0x9e3779b9) >>> 0
    return (x / 2 ** 32) * 2 - 1
  })
}

function corpus(count: number): VectorRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `file-${i % 7}:p${i % 5}:${i}`,
    values: vectorOf(i + 1),
    metadata: vectorFilterMetadata({
      file_id: `file-${i % 7}`,
      purpose: i % 3 === 0 ? 'assistants' : 'user_data',
      created_at: 1_700_000_000 + (i % 11) * 86_400,
      modality: ['text', 'table', 'image'][i % 3]!,
      page: i % 4 === 0 ? null : i % 5,
    }),
  }))
}

/** The space a plain `org/workspace` namespace names (the tests count rows by the namespace itself). */
function spaceOf(namespace: string): VectorSpace {
  const [orgId, workspaceId] = namespace.split('/') as [string, string]
  return { orgId, workspaceId }
}

async function rowsIn(namespace: string): Promise<number> {
  return (await env.DB.prepare('SELECT count(*) AS n FROM vectors WHERE namespace = ?').bind(namespace).first<{ n: number }>())!.n
}

describe('d1VectorStore', () => {
  it('stores vectors as float32 blobs with their filterable columns, and replaces by id', async () => {
    const store = d1VectorStore(env.DB)
    const namespace = unique('org/ws')
    const [one] = corpus(1)
    await store.upsert(spaceOf(namespace), [one!])
    await store.upsert(spaceOf(namespace), [{ ...one!, values: vectorOf(99) }])
    expect(await rowsIn(namespace)).toBe(1)
    const row = await env.DB.prepare('SELECT file_id, purpose, created_at, modality, page, dimensions, length(vector) AS bytes, metadata FROM vectors WHERE id = ?').bind(one!.id).first<Record<string, unknown>>()
    expect(row).toMatchObject({ file_id: 'file-0', purpose: 'assistants', modality: 'text', page: null, dimensions: DIMENSIONS, bytes: DIMENSIONS * 4 })
    expect(JSON.parse(row!.metadata as string)).toEqual(one!.metadata)
    const [best] = await store.query(spaceOf(namespace), vectorOf(99), { topK: 1 })
    expect(best).toEqual({ id: one!.id, score: expect.closeTo(1, 5) })
  })

  it('searches every page of a namespace and no other namespace', async () => {
    const store = d1VectorStore(env.DB)
    const namespace = unique('org/big')
    const vectors = corpus(700)
    await store.upsert(spaceOf(namespace), vectors)
    await store.upsert(spaceOf(unique('org/other')), [{ id: unique('intruder'), values: vectorOf(650), metadata: {} }])
    expect(await rowsIn(namespace)).toBe(700)
    // The vector of the last row is found: the scan went past the first pages.
    const matches = await store.query(spaceOf(namespace), vectorOf(700), { topK: 5 })
    expect(matches[0]!.id).toBe(vectors[699]!.id)
    expect(matches.every((m) => !m.id.startsWith('intruder'))).toBe(true)
    expect(await store.query(spaceOf(namespace), vectorOf(1), { topK: 1000 })).toHaveLength(100)
  })

  it('deletes by id within the namespace', async () => {
    const store = d1VectorStore(env.DB)
    const namespace = unique('org/del')
    const vectors = corpus(30)
    await store.upsert(spaceOf(namespace), vectors)
    await store.delete(spaceOf(namespace), vectors.slice(0, 20).map((v) => v.id))
    await store.delete(spaceOf(unique('org/elsewhere')), vectors.slice(20).map((v) => v.id))
    expect(await rowsIn(namespace)).toBe(10)
  })

  it('skips vectors of another size (an embedding model changed) instead of failing', async () => {
    const store = d1VectorStore(env.DB)
    const namespace = unique('org/mixed')
    await store.upsert(spaceOf(namespace), [{ id: unique('short'), values: [1, 0, 0], metadata: {} }, ...corpus(3)])
    const matches = await store.query(spaceOf(namespace), vectorOf(2), { topK: 10 })
    expect(matches.map((m) => m.id).sort()).toEqual(corpus(3).map((v) => v.id).sort())
  })
})

const filters: Array<VectorizeFilter | undefined> = [
  undefined,
  { file_id: { $eq: 'file-3' } },
  { file_id: { $in: ['file-1', 'file-4'] }, modality: { $eq: 'table' } },
  { page: { $ne: 2 } },
  { page: { $nin: [1, 3] } },
  { page: { $gte: 2, $lt: 4 } },
  { purpose: { $eq: 'assistants' }, created_at: { $gt: 1_700_000_000 + 3 * 86_400 } },
  { modality: { $in: ['image', 'audio'] }, page: { $lte: 1 } },
]

describe('the D1 store answers as Vectorize does', () => {
  it('for every kind of pushed-down filter', async () => {
    const d1 = d1VectorStore(env.DB)
    const vectorize = vectorizeStore(fakeVectorize({ dimensions: DIMENSIONS, metadataIndexes: VECTORIZE_INDEXED_FIELDS }))
    const namespace = unique('org/parity')
    const vectors = corpus(400)
    await d1.upsert(spaceOf(namespace), vectors)
    await vectorize.upsert(spaceOf(namespace), vectors)
    for (const [i, filter] of filters.entries()) {
      const query = vectorOf(1000 + i)
      const fromD1 = await d1.query(spaceOf(namespace), query, { topK: 20, filter })
      const fromVectorize = await vectorize.query(spaceOf(namespace), query, { topK: 20, filter })
      expect(fromD1.length, JSON.stringify(filter)).toBeGreaterThan(0)
      expect(fromD1.map((m) => m.id), JSON.stringify(filter)).toEqual(fromVectorize.map((m) => m.id))
      fromD1.forEach((m, j) => expect(m.score).toBeCloseTo(fromVectorize[j]!.score, 5))
    }
  })
})

describe('d1VectorStore keeps a namespace decoded in memory, exact across writers', () => {
  it('answers from memory what it answers page by page, for every filter', async () => {
    const kept = d1VectorStore(env.DB, new SnapshotCache())
    const paged = d1VectorStore(env.DB, new SnapshotCache(0))
    const namespace = unique('org/snapshot')
    await kept.upsert(spaceOf(namespace), corpus(400))
    for (const [i, filter] of filters.entries()) {
      const query = vectorOf(2000 + i)
      const fromMemory = await kept.query(spaceOf(namespace), query, { topK: 20, ...(filter ? { filter } : {}) })
      const fromPages = await paged.query(spaceOf(namespace), query, { topK: 20, ...(filter ? { filter } : {}) })
      expect(fromMemory.length).toBeGreaterThan(0)
      expect(fromMemory.map((m) => m.id), JSON.stringify(filter)).toEqual(fromPages.map((m) => m.id))
      fromMemory.forEach((m, j) => expect(m.score).toBeCloseTo(fromPages[j]!.score, 5))
    }
  })

  it('sees another isolate’s upserts, replacements and deletes at its next query', async () => {
    const reader = d1VectorStore(env.DB, new SnapshotCache())
    const writer = d1VectorStore(env.DB, new SnapshotCache())
    const namespace = unique('org/stale')
    const vectors = corpus(50)
    await writer.upsert(spaceOf(namespace), vectors)
    const probe = vectorOf(777)
    const top = async () => (await reader.query(spaceOf(namespace), probe, { topK: 3 }))[0]!
    const before = await top()

    // A new vector equal to the probe: found at once, with cosine 1.
    await writer.upsert(spaceOf(namespace), [{ id: 'file-new:p1:0', values: probe, metadata: vectorFilterMetadata({ file_id: 'file-new', purpose: 'user_data', created_at: 1_700_000_000, modality: 'text', page: 1 }) }])
    expect(await top()).toEqual({ id: 'file-new:p1:0', score: expect.closeTo(1, 5) })
    // Replaced in place (same id, same rowid): its new values count.
    await writer.upsert(spaceOf(namespace), [{ id: 'file-new:p1:0', values: vectorOf(778), metadata: vectorFilterMetadata({ file_id: 'file-new', purpose: 'user_data', created_at: 1_700_000_000, modality: 'text', page: 1 }) }])
    expect((await top()).id).toBe(before.id)
    // The best one deleted: the next best takes its place.
    await writer.delete(spaceOf(namespace), [before.id])
    expect((await top()).id).not.toBe(before.id)
    expect((await reader.query(spaceOf(namespace), probe, { topK: 100 })).map((m) => m.id)).not.toContain(before.id)
  })

  it('keeps within its budget, the least recently used namespace going first', () => {
    const cache = new SnapshotCache(2 * 4 * DIMENSIONS)
    const snapshot = (version: string) => new SnapshotBuilder(version, DIMENSIONS)
    const four = (v: string) => {
      const b = snapshot(v)
      for (let i = 0; i < 4; i++) b.add(`id-${i}`, 'file', '{}', vectorOf(i + 1))
      return b.build()
    }
    cache.put('a', four('1'))
    cache.put('b', four('1'))
    expect(cache.get('a', DIMENSIONS, '1')).toBeDefined()
    cache.put('c', four('1'))
    expect(cache.get('b', DIMENSIONS, '1')).toBeUndefined()
    expect(cache.get('a', DIMENSIONS, '1')).toBeDefined()
    expect(cache.get('a', DIMENSIONS, '2')).toBeUndefined()
    expect(cache.get('a', DIMENSIONS, '1')).toBeUndefined()
    expect(cache.fits(9, 4 * DIMENSIONS / 4)).toBe(false)
  })
})
