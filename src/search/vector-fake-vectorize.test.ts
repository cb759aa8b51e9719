import { describe, expect, it } from 'vitest'
import { fakeVectorize, VectorizeLimitError } from './vector-fake-vectorize'

const INDEXES = [
  { propertyName: 'file_id', type: 'string' },
  { propertyName: 'page', type: 'number' },
  { propertyName: 'flag', type: 'boolean' },
] as const

function index() {
  return fakeVectorize({ dimensions: 3, metadataIndexes: INDEXES })
}

const v = (id: string, values: number[], metadata?: Record<string, VectorizeVectorMetadata>, namespace = 'ns'): VectorizeVector => ({
  id,
  values,
  namespace,
  ...(metadata ? { metadata } : {}),
})

describe('fakeVectorize enforces the documented limits', () => {
  it('topK: 100 at most, 20 with values or all metadata', async () => {
    const vi = index()
    await vi.upsert([v('a', [1, 0, 0])])
    await expect(vi.query([1, 0, 0], { topK: 100 })).resolves.toMatchObject({ count: 1 })
    await expect(vi.query([1, 0, 0], { topK: 101 })).rejects.toThrow(VectorizeLimitError)
    await expect(vi.query([1, 0, 0], { topK: 100, returnMetadata: 'indexed' })).resolves.toBeDefined()
    await expect(vi.query([1, 0, 0], { topK: 21, returnValues: true })).rejects.toThrow(/topK must be 1 to 20/)
    await expect(vi.query([1, 0, 0], { topK: 21, returnMetadata: 'all' })).rejects.toThrow(/topK must be 1 to 20/)
    await expect(vi.query([1, 0, 0], { topK: 0 })).rejects.toThrow(VectorizeLimitError)
  })

  it('upserts: 1000 vectors per batch, ids and namespaces of 64 bytes, the index size, 10 KiB of metadata', async () => {
    const vi = index()
    const many = Array.from({ length: 1001 }, (_, i) => v(`id-${i}`, [1, 1, 1]))
    await expect(vi.upsert(many)).rejects.toThrow(/at most 1000 vectors/)
    await expect(vi.upsert(many.slice(0, 1000))).resolves.toHaveProperty('mutationId')
    await expect(vi.upsert([v('x'.repeat(65), [1, 0, 0])])).rejects.toThrow(/max is 64 bytes, got 65/)
    // 22 three-byte characters: 66 bytes in 22 characters.
    await expect(vi.upsert([v('é'.repeat(33), [1, 0, 0])])).rejects.toThrow(/got 66 bytes/)
    await expect(vi.upsert([v('a', [1, 0, 0], undefined, 'n'.repeat(65))])).rejects.toThrow(/namespace/)
    await expect(vi.upsert([v('a', [1, 0])])).rejects.toThrow(/2 dimensions, the index 3/)
    await expect(vi.upsert([v('a', [1, 0, 0], { text: 'x'.repeat(10 * 1024) })])).rejects.toThrow(/metadata/)
    for (const key of ['a.b', '$a', '', 'a"b']) await expect(vi.upsert([v('a', [1, 0, 0], { [key]: 1 })]), key).rejects.toThrow(/invalid metadata key/)
    // Nothing of a refused batch was written.
    expect(vi.size).toBe(1000)
  })

  it('namespaces: at most the configured number, and a query sees only its own', async () => {
    const vi = fakeVectorize({ dimensions: 3, maxNamespaces: 2 })
    await vi.upsert([v('a', [1, 0, 0], undefined, 'one'), v('b', [1, 0, 0], undefined, 'two')])
    await expect(vi.upsert([v('c', [1, 0, 0], undefined, 'three')])).rejects.toThrow(/at most 2 namespaces/)
    expect((await vi.query([1, 0, 0], { namespace: 'one' })).matches.map((m) => m.id)).toEqual(['a'])
    expect((await vi.query([1, 0, 0])).matches.map((m) => m.id).sort()).toEqual(['a', 'b'])
  })

  it('insert keeps the first vector for an id, upsert the last, replacing metadata in full', async () => {
    const vi = index()
    await vi.insert([v('a', [1, 0, 0], { page: 1 })])
    await vi.insert([v('a', [0, 1, 0], { page: 2 })])
    expect((await vi.getByIds(['a']))[0]).toMatchObject({ values: [1, 0, 0], metadata: { page: 1 } })
    await vi.upsert([v('a', [0, 1, 0], { flag: true })])
    expect((await vi.getByIds(['a']))[0]).toMatchObject({ values: [0, 1, 0], metadata: { flag: true } })
    await vi.deleteByIds(['a', 'missing'])
    expect(vi.size).toBe(0)
  })
})

describe('fakeVectorize filters as Vectorize does', () => {
  async function seeded() {
    const vi = index()
    await vi.upsert([
      v('p1', [1, 0, 0], { file_id: 'f1', page: 1, flag: true }),
      v('p2', [0.9, 0.1, 0], { file_id: 'f1', page: 2 }),
      v('p3', [0.8, 0.2, 0], { file_id: 'f2', page: 3, flag: false }),
      v('none', [0.7, 0.3, 0], { file_id: 'f2' }),
      v('long', [0.6, 0.4, 0], { file_id: `${'a'.repeat(64)}tail` }),
    ])
    return vi
  }
  const ids = async (vi: ReturnType<typeof index>, filter: VectorizeVectorMetadataFilter) =>
    (await vi.query([1, 0, 0], { topK: 10, namespace: 'ns', filter })).matches.map((m) => m.id)

  it('keys are ANDed; a bare value is $eq; best match first', async () => {
    const vi = await seeded()
    expect(await ids(vi, { file_id: 'f1' })).toEqual(['p1', 'p2'])
    expect(await ids(vi, { file_id: 'f1', page: { $gte: 2 } })).toEqual(['p2'])
    expect(await ids(vi, { page: { $gt: 1, $lte: 3 } })).toEqual(['p2', 'p3'])
    expect(await ids(vi, { page: { $in: [1, 3] } })).toEqual(['p1', 'p3'])
  })

  it('$ne and $nin pass a vector that lacks the key; ranges and $eq do not', async () => {
    const vi = await seeded()
    expect(await ids(vi, { page: { $ne: 1 } })).toEqual(['p2', 'p3', 'none', 'long'])
    expect(await ids(vi, { page: { $nin: [1, 2] } })).toEqual(['p3', 'none', 'long'])
    expect(await ids(vi, { page: { $lt: 100 } })).toEqual(['p1', 'p2', 'p3'])
    expect(await ids(vi, { flag: { $eq: false } })).toEqual(['p3'])
  })

  it('strings are compared on their first 64 bytes', async () => {
    const vi = await seeded()
    expect(await ids(vi, { file_id: 'a'.repeat(64) })).toEqual(['long'])
    expect(await ids(vi, { file_id: `${'a'.repeat(64)}tail` })).toEqual([])
  })

  it('a property without a metadata index filters nothing in', async () => {
    const vi = await seeded()
    await vi.upsert([v('q', [1, 0, 0], { author: 'hegel' })])
    expect(await ids(vi, { author: 'hegel' })).toEqual([])
  })

  it('refuses filters Vectorize refuses', async () => {
    const vi = await seeded()
    const refused: VectorizeVectorMetadataFilter[] = [
      {},
      { page: { $or: [1] } as never },
      { page: { $eq: 1, $gt: 0 } },
      { page: { $gt: 0, $gte: 1 } },
      { $page: 1 },
      { 'a"b': 1 },
      { file_id: { $in: 'f1' as never } },
      { file_id: { $in: Array.from({ length: 300 }, (_, i) => `file-${i}`) } },
    ]
    for (const filter of refused) await expect(vi.query([1, 0, 0], { filter }), JSON.stringify(filter).slice(0, 60)).rejects.toThrow(VectorizeLimitError)
  })

  it('returns indexed metadata cut to 64 bytes, or all of it', async () => {
    const vi = await seeded()
    const indexed = await vi.query([0.6, 0.4, 0], { topK: 1, namespace: 'ns', returnMetadata: 'indexed' })
    expect(indexed.matches[0]).toMatchObject({ id: 'long', metadata: { file_id: 'a'.repeat(64) } })
    const all = await vi.query([0.6, 0.4, 0], { topK: 1, namespace: 'ns', returnMetadata: 'all', returnValues: true })
    expect(all.matches[0]!.metadata).toEqual({ file_id: `${'a'.repeat(64)}tail` })
    expect(all.matches[0]!.values).toHaveLength(3)
  })
})
