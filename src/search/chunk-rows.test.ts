import { describe, expect, it } from 'vitest'
import { rowPages } from './chunk-rows'

describe('rowPages', () => {
  it('cuts rows into pages under the size, in order, none lost', () => {
    const rows = Array.from({ length: 10 }, (_, i) => `{"id":"f:0:${i}","text":"${'x'.repeat(i * 10)}"}`)
    const pages = rowPages(rows, 120)
    expect(pages.flat()).toEqual(rows)
    expect(pages.length).toBeGreaterThan(1)
    for (const page of pages) if (page.length > 1) expect(page.reduce((n, r) => n + r.length, 0)).toBeLessThanOrEqual(120)
  })

  it('gives a row longer than a page a page of its own, and no rows one empty page', () => {
    const long = 'y'.repeat(500)
    expect(rowPages(['a', long, 'b'], 100)).toEqual([['a'], [long], ['b']])
    expect(rowPages([], 100)).toEqual([[]])
  })
})
