import { describe, expect, it } from 'vitest'
import type { FilterNode } from './ast'
import { parseFilter } from './parser'
import { printFilter } from './printer'
import { Random, randomTree } from './testing/arbitrary'

describe('the printer', () => {
  it('prints canonical text', () => {
    const print = (text: string) => printFilter(parseFilter(text, { chunkAttributes: true }))
    expect(print("author == 'hegel' AND tags <> 'x'")).toBe('metadata.author = "hegel" and metadata.tags != "x"')
    expect(print('(a = 1 or b = 2) and not (c = 3 or d = 4)')).toBe('(metadata.a = 1 or metadata.b = 2) and not (metadata.c = 3 or metadata.d = 4)')
    expect(print('a = 1 or b = 2 and c = 3')).toBe('metadata.a = 1 or metadata.b = 2 and metadata.c = 3')
    expect(print('(a = 1 and b = 2) and c = 3')).toBe('(metadata.a = 1 and metadata.b = 2) and metadata.c = 3')
    expect(print('not not a = -0')).toBe('not not metadata.a = -0')
    expect(print(`s like 'it\\'s "100\\\\%"'`)).toBe('metadata.s like "it\'s \\"100\\\\%\\""')
    expect(print('x.y[2] NOT IN [1e21, TRUE, "a"]')).toBe('metadata.x.y[2] not in [1e+21, true, "a"]')
    expect(print('status is not null and page > 2')).toBe('status is not null and page > 2')
    expect(print('created_at > "2024-01-01"')).toBe('created_at > 1704067200')
  })

  it('gives back the same tree through the parser, for thousands of random trees', () => {
    const seed = 7
    const rng = new Random(seed)
    for (let i = 0; i < 3000; i++) {
      const tree: FilterNode = randomTree(rng, { chunkAttributes: true, maxDepth: 6 })
      const text = printFilter(tree)
      let again: FilterNode
      try {
        again = parseFilter(text, { chunkAttributes: true })
      } catch (err) {
        return expect.fail(`seed ${seed}, tree ${i}: ${String(err)}\n${text}`)
      }
      expect(again, `seed ${seed}, tree ${i}: ${text}`).toEqual(tree)
      expect(printFilter(again)).toBe(text)
    }
  })
})
