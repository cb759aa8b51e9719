import { describe, expect, it } from 'vitest'
import { reciprocalRankFusion, RRF_K } from './rank-fusion'

const id = (s: string) => s
const keys = <T>(fused: Array<{ item: T }>, key: (t: T) => string) => fused.map((f) => key(f.item))

describe('reciprocalRankFusion', () => {
  it('keeps a single list in its order, with scores that fall with rank', () => {
    const fused = reciprocalRankFusion([['c', 'a', 'b', 'd']], id)
    expect(keys(fused, id)).toEqual(['c', 'a', 'b', 'd'])
    expect(fused.map((f) => f.score)).toEqual([1, 2, 3, 4].map((r) => 1 / (RRF_K + r)))
    for (let i = 1; i < fused.length; i++) expect(fused[i]!.score).toBeLessThan(fused[i - 1]!.score)
  })

  it('puts what several lists agree on above what one list ranks first', () => {
    const fused = reciprocalRankFusion([['a', 'b', 'c'], ['x', 'b', 'c']], id)
    expect(fused[0]!.item).toBe('b')
    expect(fused[0]!.ranks).toEqual([2, 2])
    expect(fused[0]!.score).toBeCloseTo(2 / (RRF_K + 2))
    expect(keys(fused, id).slice(0, 2)).toEqual(['b', 'c'])
  })

  it('sums 1/(k + rank) over the lists that have the item', () => {
    const fused = reciprocalRankFusion([['a', 'b'], ['b']], id, { k: 1 })
    const b = fused.find((f) => f.item === 'b')!
    expect(b.score).toBeCloseTo(1 / 3 + 1 / 2)
    expect(fused.find((f) => f.item === 'a')!.ranks).toEqual([1, null])
  })

  it('weights lists', () => {
    const fused = reciprocalRankFusion([['a'], ['b']], id, { weights: [1, 2] })
    expect(keys(fused, id)).toEqual(['b', 'a'])
    expect(() => reciprocalRankFusion([['a'], ['b']], id, { weights: [1] })).toThrow(RangeError)
  })

  it('breaks ties by the better single rank, then by the first list', () => {
    // x is 1st and 3rd; y is 2nd and 2nd: 1/61 + 1/63 > 2/62, so x leads (convexity); equal scores go to the earlier list.
    expect(keys(reciprocalRankFusion([['x', 'y', 'z'], ['w', 'y', 'x']], id), id).slice(0, 2)).toEqual(['x', 'y'])
    expect(keys(reciprocalRankFusion([['p'], ['q']], id), id)).toEqual(['p', 'q'])
  })

  it('counts an item once per list, at its first rank, and keeps the first list’s copy', () => {
    const a1 = { key: 'a', from: 1 }
    const a2 = { key: 'a', from: 2 }
    const fused = reciprocalRankFusion([[a1, { key: 'b', from: 1 }, a1], [a2]], (t) => t.key)
    expect(fused).toHaveLength(2)
    expect(fused[0]!.item).toBe(a1)
    expect(fused[0]!.ranks).toEqual([1, 1])
  })

  it('handles no lists and empty lists', () => {
    expect(reciprocalRankFusion([], id)).toEqual([])
    expect(reciprocalRankFusion([[], []], id)).toEqual([])
    expect(keys(reciprocalRankFusion([[], ['a']], id), id)).toEqual(['a'])
  })

  it('refuses a k that is not a finite number ≥ 0', () => {
    expect(() => reciprocalRankFusion([['a']], id, { k: -1 })).toThrow(RangeError)
    expect(() => reciprocalRankFusion([['a']], id, { k: Number.NaN })).toThrow(RangeError)
  })
})
