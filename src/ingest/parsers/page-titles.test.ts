import { describe, expect, it } from 'vitest'
import { pageTitles, titleBlocks, titledPages } from './page-titles'

// Page tops as pdf.js reads them from a 10-K: a running head on every page, then the page's own title.
const filing = [
  'Table of Contents\nAMAZON.COM, INC.\nCONSOLIDATED STATEMENTS OF OPERATIONS\n(in millions, except per share data)\nYear Ended December 31,\n2015 2016 2017',
  'Table of Contents\nAMAZON.COM, INC.\nCONSOLIDATED BALANCE SHEETS\n(in millions, except per share data)\nDecember 31,\n2016 2017\nASSETS',
  'Table of Contents\nAMAZON.COM, INC.\nCONSOLIDATED STATEMENTS OF CASH FLOWS\n(in millions)\nYear Ended December 31,',
  'Table of Contents\nOther operating expense, net was $171 million, $167 million, and $214 million during 2015, 2016, and 2017, and was primarily related to the amortization of intangible assets.',
  'Table of Contents\nItem 2. Properties\nAs of December 31, 2017, we operated the following facilities (in thousands):',
]

describe('pageTitles', () => {
  it("skips running heads and takes the page's first short lines", () => {
    const titles = pageTitles(filing)
    expect(titles[0]).toBe('CONSOLIDATED STATEMENTS OF OPERATIONS (in millions, except per share data)')
    expect(titles[1]).toBe('CONSOLIDATED BALANCE SHEETS (in millions, except per share data)')
    expect(titles[2]).toBe('CONSOLIDATED STATEMENTS OF CASH FLOWS (in millions)')
  })

  it('gives no title to a page that starts with body text', () => {
    expect(pageTitles(filing)[3]).toBe('')
  })

  it('ends a title at a line that ends like a sentence', () => {
    expect(pageTitles(filing)[4]).toBe('Item 2. Properties')
  })

  it('keeps a heading that only repeats on a page or two', () => {
    const two = ['Risk Factors\nOur business is subject to many risks of various kinds that are described in this section.', 'Risk Factors\nContinued from the page before, these risks include the following matters we describe.']
    expect(pageTitles(two)).toEqual(['Risk Factors', 'Risk Factors'])
  })

  it('treats a page number that changes as one running foot', () => {
    const pages = Array.from({ length: 6 }, (_, i) => `Page ${i + 1}\nSection ${'ABCDEF'[i]} overview\nBody text of this page goes on for a long while, more than any title would, and then some.`)
    expect(pageTitles(pages)).toEqual(['Section A overview', 'Section B overview', 'Section C overview', 'Section D overview', 'Section E overview', 'Section F overview'])
  })
})

describe('title blocks', () => {
  it('widens a range to whole blocks within the document', () => {
    expect(titleBlocks(1, 5, 14)).toEqual({ from: 1, to: 5 })
    expect(titleBlocks(6, 12, 14)).toEqual({ from: 6, to: 14 })
    expect(titleBlocks(8, 8, 9)).toEqual({ from: 6, to: 9 })
  })

  it('gives a page the same title however the pages are split', () => {
    const pages = Array.from({ length: 12 }, (_, i) => `Table of Contents\nNote ${i + 1}. Topic ${'ABCDEFGHIJKL'[i]}\nBody text that goes on for longer than any title line would ever go on for, by far.`)
    const whole = titledPages(1, pages)
    const { from, to } = titleBlocks(7, 9, 12)
    expect(titledPages(from, pages.slice(from - 1, to))).toEqual(whole.slice(from - 1, to))
    expect(whole[7]).toBe('Note 8. Topic H')
  })
})
