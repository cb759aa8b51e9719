import { describe, expect, it } from 'vitest'
import { utf8Length } from '../filter/vectorize-semantics'
import { checkNames, cosine, deleteChunkVectors, TopK, vectorNamespace, type VectorSpace, type VectorStore } from './vector-store'

describe('vectorNamespace', () => {
  it('is org/workspace when that fits in 64 bytes', async () => {
    expect(await vectorNamespace('org-abc', 'default')).toBe('org-abc/default')
  })

  it('hashes what would not fit, distinctly and the same way every time', async () => {
    const org = 'org-abcdefghijklmnopqrstuvwx'
    const a = await vectorNamespace(org, 'a'.repeat(64))
    const b = await vectorNamespace(org, 'b'.repeat(64))
    expect(a).toMatch(/^h:[0-9a-f]{62}$/)
    expect(utf8Length(a)).toBe(64)
    expect(a).not.toBe(b)
    expect(await vectorNamespace(org, 'a'.repeat(64))).toBe(a)
  })

  it('chunk ids of the longest realistic shape fit the 64-byte id limit', () => {
    expect(() => checkNames('ns', ['file-0123456789abcdef01234567:p99999:999999', 'file-0123456789abcdef01234567:d:123456'])).not.toThrow()
    expect(() => checkNames('ns', ['x'.repeat(65)])).toThrow(RangeError)
    expect(() => checkNames('', [])).toThrow(RangeError)
  })
})

describe('cosine and TopK', () => {
  it('scores direction, not length', () => {
    expect(cosine([1, 0], [5, 0])).toBeCloseTo(1)
    expect(cosine([1, 0], [0, 3])).toBeCloseTo(0)
    expect(cosine([1, 1], [-1, -1])).toBeCloseTo(-1)
    expect(cosine([0, 0], [1, 0])).toBe(0)
  })

  it('keeps the k best, ties broken by id', () => {
    const top = new TopK(3)
    for (const [id, score] of [['e', 0.1], ['d', 0.9], ['c', 0.5], ['b', 0.9], ['a', 0.2]] as const) top.offer({ id, score })
    expect(top.best()).toEqual([{ id: 'b', score: 0.9 }, { id: 'd', score: 0.9 }, { id: 'c', score: 0.5 }])
  })
})

describe('deleteChunkVectors', () => {
  it('deletes each chunk from its own workspace namespace', async () => {
    const deleted: Array<[VectorSpace, readonly string[]]> = []
    const store = { delete: async (space: VectorSpace, ids: readonly string[]) => void deleted.push([space, ids]) } as unknown as VectorStore
    await deleteChunkVectors(store, [
      { id: 'c1', orgId: 'org-1', workspaceId: 'a' },
      { id: 'c2', orgId: 'org-1', workspaceId: 'b' },
      { id: 'c3', orgId: 'org-1', workspaceId: 'a' },
    ])
    // With the page vectors each chunk may stand for (`~p`).
    expect(deleted).toEqual([
      [{ orgId: 'org-1', workspaceId: 'a' }, ['c1', 'c1~p', 'c3', 'c3~p']],
      [{ orgId: 'org-1', workspaceId: 'b' }, ['c2', 'c2~p']],
    ])
  })
})
