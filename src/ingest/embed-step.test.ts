import { describe, expect, it } from 'vitest'
import { PAGE_TEXT_CHARS, pageTexts } from './embed-step'
import type { Chunk } from './segment'

const chunk = (id: string, text: string, page: number | undefined, heading?: string[]): Chunk => ({
  id,
  fileId: 'file-a',
  index: 0,
  text,
  provenance: { modality: 'text', ...(page !== undefined ? { page } : {}), ...(heading ? { heading } : {}) },
  charStart: 0,
  charEnd: text.length,
  tokenCount: 1,
})

describe('pageTexts: what the embedder reads for each page as a whole', () => {
  it('gives one text per page, under its first chunk, with the file, the page’s title and number, then its chunks in order', () => {
    const texts = pageTexts('10K.pdf', [
      chunk('file-a:p3:0', 'Net sales rose.', 3, ['CONSOLIDATED STATEMENTS OF INCOME']),
      chunk('file-a:p3:1', 'Cost of sales fell.', 3),
      chunk('file-a:p4:0', 'Purchases of property, plant and equipment', 4),
    ])
    expect(texts.map((t) => [t.id, t.text])).toEqual([
      ['file-a:p3:0~p', '10K.pdf · CONSOLIDATED STATEMENTS OF INCOME · page 3\n\nNet sales rose.\nCost of sales fell.'],
      ['file-a:p4:0~p', '10K.pdf · page 4\n\nPurchases of property, plant and equipment'],
    ])
    expect(texts[0]!.chunk.id).toBe('file-a:p3:0')
  })

  it('cuts a long page, and gives none where chunks have no page (Markdown, sheets, transcripts)', () => {
    const long = pageTexts('a.pdf', [chunk('file-a:p1:0', 'x'.repeat(2500), 1), chunk('file-a:p1:1', 'y'.repeat(2500), 1), chunk('file-a:p1:2', 'z'.repeat(2500), 1)])
    expect(long).toHaveLength(1)
    expect(long[0]!.text.length).toBe('a.pdf · page 1\n\n'.length + PAGE_TEXT_CHARS)
    expect(long[0]!.text).not.toContain('z')
    expect(pageTexts('notes.md', [chunk('file-a:d:0', 'Penguins.', undefined)])).toEqual([])
  })
})
