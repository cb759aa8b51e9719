import { describe, expect, it } from 'vitest'
import { RARE_POSTINGS_BUDGET, splitByRarity } from './term-rarity'

describe('splitByRarity', () => {
  const counts = new Map([['vitamin', 900], ['deficiency', 4_000], ['cell', 40_000], ['patients', 25_000]])
  const terms = ['vitamin', 'cell', 'deficiency', 'patients']

  it('keeps the rarest words within the budget, in the question’s order', () => {
    expect(splitByRarity(terms, counts, 5_000)).toEqual({ rare: ['vitamin', 'deficiency'], common: ['cell', 'patients'] })
    expect(splitByRarity(terms, counts, 4_899)).toEqual({ rare: ['vitamin'], common: ['cell', 'deficiency', 'patients'] })
  })

  it('always searches the rarest word, however common', () => {
    expect(splitByRarity(['cell', 'patients'], counts, 10)).toEqual({ rare: ['patients'], common: ['cell'] })
  })

  it('keeps every word when they fit, and words the index lacks cost nothing', () => {
    expect(splitByRarity(terms, counts, Infinity).common).toEqual([])
    expect(splitByRarity(['zzyzx', 'cell'], counts, 100)).toEqual({ rare: ['zzyzx', 'cell'], common: [] })
    expect(splitByRarity(['zzyzx', 'cell', 'patients'], counts, 100)).toEqual({ rare: ['zzyzx', 'patients'], common: ['cell'] })
    expect(splitByRarity(['zzyzx', 'cell', 'vitamin'], counts, 1_000)).toEqual({ rare: ['zzyzx', 'vitamin'], common: ['cell'] })
  })

  it('breaks ties by the question’s order', () => {
    const even = new Map([['a1', 10], ['b2', 10], ['c3', 10]])
    expect(splitByRarity(['c3', 'a1', 'b2'], even, 20)).toEqual({ rare: ['c3', 'a1'], common: ['b2'] })
  })

  it('has a budget in postings', () => expect(RARE_POSTINGS_BUDGET).toBeGreaterThan(1_000))
})
