import { describe, expect, it } from 'vitest'
import { onePerPageFirst, pageKey } from './page-diversity'

const hit = (chunkId: string, fileId: string, page: number | null) => ({ chunkId, fileId, page })

describe('onePerPageFirst', () => {
  it("moves a page's further chunks after every page's best chunk", () => {
    const ranked = [hit('a1', 'f', 3), hit('a2', 'f', 3), hit('a3', 'f', 3), hit('b1', 'f', 7), hit('c1', 'g', 3), hit('b2', 'f', 7)]
    expect(onePerPageFirst(ranked).map((h) => h.chunkId)).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'b2'])
  })

  it('keeps the order of chunks that have no page', () => {
    const ranked = [hit('m1', 'md', null), hit('m2', 'md', null), hit('p1', 'pdf', 1), hit('p2', 'pdf', 1), hit('m3', 'md', null)]
    expect(onePerPageFirst(ranked).map((h) => h.chunkId)).toEqual(['m1', 'm2', 'p1', 'm3', 'p2'])
  })

  it('tells the same page number of two files apart', () => {
    expect(pageKey(hit('x', 'f', 2))).not.toBe(pageKey(hit('y', 'g', 2)))
    expect(pageKey(hit('x', 'f', 2))).toBe(pageKey(hit('y', 'f', 2)))
  })
})
