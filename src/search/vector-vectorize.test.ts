import { describe, expect, it } from 'vitest'
import { VECTORIZE_INDEXED_FIELDS } from '../filter'
import { fakeVectorize } from './vector-fake-vectorize'
import { vectorizeStore } from './vector-vectorize'

const DIMENSIONS = 4

function setup() {
  const index = fakeVectorize({ dimensions: DIMENSIONS, metadataIndexes: VECTORIZE_INDEXED_FIELDS })
  return { index, store: vectorizeStore(index) }
}

const NS = { orgId: 'org-1', workspaceId: 'ns' }
const unit = (i: number) => Array.from({ length: DIMENSIONS }, (_, d) => (d === i % DIMENSIONS ? 1 : 0.01))

describe('vectorizeStore', () => {
  it('upserts and deletes in batches Vectorize accepts', async () => {
    const { index, store } = setup()
    const vectors = Array.from({ length: 2500 }, (_, i) => ({ id: `file-x:p1:${i}`, values: Float32Array.from(unit(i)), metadata: { file_id: 'file-x', page: 1 } }))
    await store.upsert({ orgId: 'org-1', workspaceId: 'default' }, vectors)
    expect(index.calls.filter((c) => c.method === 'upsert').map((c) => c.count)).toEqual([1000, 1000, 500])
    expect(index.size).toBe(2500)
    await store.delete({ orgId: 'org-1', workspaceId: 'default' }, vectors.map((v) => v.id))
    expect(index.calls.filter((c) => c.method === 'deleteByIds').map((c) => c.count)).toEqual([1000, 1000, 500])
    expect(index.size).toBe(0)
  })

  it('re-upserting the same chunk ids replaces, never duplicates', async () => {
    const { index, store } = setup()
    const batch = [0, 1, 2].map((i) => ({ id: `c${i}`, values: unit(i), metadata: { file_id: 'f' } }))
    await store.upsert(NS, batch)
    await store.upsert(NS, batch)
    expect(index.size).toBe(3)
  })

  it('queries one namespace, caps topK at 100 and asks for neither values nor metadata', async () => {
    const { index, store } = setup()
    await store.upsert({ orgId: 'org-1', workspaceId: 'a' }, Array.from({ length: 150 }, (_, i) => ({ id: `a${i}`, values: unit(i), metadata: { file_id: 'f' } })))
    await store.upsert({ orgId: 'org-1', workspaceId: 'b' }, [{ id: 'b0', values: unit(0), metadata: { file_id: 'f' } }])
    const matches = await store.query({ orgId: 'org-1', workspaceId: 'a' }, unit(0), { topK: 500 })
    expect(matches).toHaveLength(100)
    expect(matches.some((m) => m.id === 'b0')).toBe(false)
    expect(matches[0]!.score).toBeGreaterThanOrEqual(matches[99]!.score)
    expect(index.calls.at(-1)!.options).toMatchObject({ topK: 100, namespace: 'org-1/a', returnValues: false, returnMetadata: 'none' })
  })

  it('passes the pushed-down filter through, and leaves an empty one out', async () => {
    const { index, store } = setup()
    await store.upsert(NS, [
      { id: 't', values: unit(0), metadata: { file_id: 'f', modality: 'table', page: 2 } },
      { id: 'x', values: unit(0), metadata: { file_id: 'f', modality: 'text', page: 2 } },
    ])
    expect((await store.query(NS, unit(0), { topK: 5, filter: { modality: { $eq: 'table' } } })).map((m) => m.id)).toEqual(['t'])
    await store.query(NS, unit(0), { topK: 5, filter: {} })
    expect(index.calls.at(-1)!.options).not.toHaveProperty('filter')
  })

  it('refuses an id Vectorize would refuse, before writing anything', async () => {
    const { index, store } = setup()
    await expect(store.upsert(NS, [{ id: 'ok', values: unit(0), metadata: {} }, { id: 'y'.repeat(65), values: unit(0), metadata: {} }])).rejects.toThrow(/1 to 64 bytes/)
    expect(index.size).toBe(0)
  })

  it('fits every workspace id into a namespace', async () => {
    const { index, store } = setup()
    const space = { orgId: 'org-abcdefghijklmnopqrstuvwx', workspaceId: 'w'.repeat(64) }
    await store.upsert(space, [{ id: 'c', values: unit(0), metadata: {} }])
    expect(await store.query(space, unit(0), { topK: 1 })).toEqual([{ id: 'c', score: expect.closeTo(1, 5) }])
    expect(String(index.calls.at(-1)!.options!.namespace)).toMatch(/^h:[0-9a-f]{62}$/)
  })
})
