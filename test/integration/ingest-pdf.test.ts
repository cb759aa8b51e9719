/**
 * @module PDF fan-out in workerd: the page count comes cheap, page ranges read on their own give
 * the same segments and chunk ids as a whole read, and the caps hold. Also logs unpdf's raw
 * extraction speed as a figure (not asserted).
 */
import { describe, expect, it } from 'vitest'
import { chunkSegments } from '../../src/ingest/chunker'
import { LimitExceededError } from '../../src/ingest/errors'
import { resolveLimits, startDeadline } from '../../src/ingest/limits'
import { openPdf, parsePdf, pdfPageCount, planPageRanges } from '../../src/ingest/parsers/pdf'
import { parseDocument } from '../../src/ingest/parsers/registry'
import type { Segment } from '../../src/ingest/segment'
import { fixtureBytes } from './fixtures'

const limits = resolveLimits()

describe('PDF page ranges', () => {
  it('gives the page count without reading pages', async () => {
    expect(await pdfPageCount(await fixtureBytes('samples/pdf/tracemonkey.pdf'), limits)).toBe(14)
  })

  it('reads ranges that add up to the whole, with the same chunk ids', async () => {
    const whole = await parsePdf(await fixtureBytes('samples/pdf/tracemonkey.pdf'), limits, startDeadline(30_000))
    const ranges = planPageRanges(14, 5)
    expect(ranges).toEqual([
      { from: 1, to: 5 },
      { from: 6, to: 10 },
      { from: 11, to: 14 },
    ])
    const pieces: Segment[] = []
    for (const range of ranges) {
      const outcome = await parseDocument(await fixtureBytes('samples/pdf/tracemonkey.pdf'), 'pdf', { pages: range })
      if (outcome.status !== 'parsed') throw new Error(outcome.reason)
      expect(outcome.result.pageCount).toBe(14)
      expect(outcome.result.segments.map((s) => s.provenance.page)).toEqual(
        Array.from({ length: range.to - range.from + 1 }, (_, i) => range.from + i),
      )
      pieces.push(...outcome.result.segments)
    }
    expect(pieces).toEqual(whole.segments)
    const ids = (segments: Segment[]) => chunkSegments(segments, { fileId: 'file-t' }).map((c) => c.id)
    expect(ids(pieces)).toEqual(ids(whole.segments))
  })

  it('reads several ranges from one opened document', async () => {
    const pdf = await openPdf(await fixtureBytes('samples/pdf/multi_page.pdf'), limits)
    try {
      const first = await pdf.readPages({ from: 1, to: 2 })
      const last = await pdf.readPages({ from: 5, to: 9 })
      expect(first.segments.map((s) => s.provenance.page)).toEqual([1, 2])
      expect(last.segments.map((s) => s.provenance.page)).toEqual([5])
    } finally {
      await pdf.close()
    }
  })

  it('refuses too many pages per message and per document, in sentences', async () => {
    const tight = resolveLimits({ maxPagesPerMessage: 4 })
    await expect(parsePdf(await fixtureBytes('samples/pdf/tracemonkey.pdf'), tight, startDeadline(30_000))).rejects.toThrow(
      'pages 1–14 are more than the 4 pages read in one step',
    )
    const few = resolveLimits({ maxPages: 10 })
    await expect(pdfPageCount(await fixtureBytes('samples/pdf/tracemonkey.pdf'), few)).rejects.toThrow(LimitExceededError)
    await expect(pdfPageCount(await fixtureBytes('samples/pdf/tracemonkey.pdf'), few)).rejects.toThrow(
      'the PDF has 14 pages, more than the 10 Cairn reads in one file',
    )
  })

  it('stops at the time budget with a sentence', async () => {
    const bytes = await fixtureBytes('samples/pdf/tracemonkey.pdf')
    const pdf = await openPdf(bytes, limits)
    const spent = startDeadline(0)
    await expect(pdf.readPages({ from: 1, to: 3 }, spent)).rejects.toThrow('took longer than')
    await pdf.close()
  })
})

describe('PDF page titles', () => {
  it("titles a filing's statement pages by their headings, not by the running head, however the pages are split", async () => {
    const bytes = () => fixtureBytes('docqa/financebench/pdfs/AMAZON_2017_10K.pdf')
    const read = async (from: number, to: number) => {
      const outcome = await parseDocument(await bytes(), 'pdf', { pages: { from, to } })
      if (outcome.status !== 'parsed') throw new Error(outcome.reason)
      return new Map(outcome.result.segments.map((s) => [s.provenance.page, s.provenance.heading?.join(' > ') ?? null]))
    }
    const block = await read(36, 40)
    expect(block.get(38)).toMatch(/CONSOLIDATED STATEMENTS OF OPERATIONS/)
    expect(block.get(40)).toMatch(/CONSOLIDATED BALANCE SHEETS/)
    for (const heading of block.values()) expect(heading ?? '').not.toMatch(/Table of Contents/i)
    // One page read alone is titled as when its block is read.
    expect((await read(40, 40)).get(40)).toBe(block.get(40))
  }, 60_000)
})

describe('unpdf speed in workerd (a figure, not asserted)', () => {
  it('logs pages per second over the sample PDFs', async () => {
    const names = ['2305.03393v1-pg9', 'multi_page', 'normal_4pages', 'redp5110_sampled', 'right_to_left_01', 'tracemonkey']
    // Warm-up: the first document pays for loading pdf.js itself.
    await pdfPageCount(await fixtureBytes('samples/pdf/multi_page.pdf'), limits)
    let pages = 0
    let chars = 0
    let ms = 0
    const rows: string[] = []
    for (const name of names) {
      const bytes = await fixtureBytes(`samples/pdf/${name}.pdf`)
      const started = performance.now()
      const result = await parsePdf(bytes, limits, startDeadline(60_000))
      const took = performance.now() - started
      const text = result.segments.reduce((n, s) => n + s.text.length, 0)
      rows.push(`${name}: ${result.pageCount} pages, ${text} chars, ${took.toFixed(0)} ms`)
      pages += result.pageCount ?? 0
      chars += text
      ms += took
    }
    // Workers freeze timers between I/O, so this is wall time around awaited work, good to ~1 ms.
    console.log(`[figure] unpdf text extraction in workerd: ${pages} pages, ${chars} chars in ${ms.toFixed(0)} ms ≈ ${((pages * 1000) / ms).toFixed(0)} pages/s\n  ${rows.join('\n  ')}`)
    expect(pages).toBe(1 + 5 + 4 + 18 + 1 + 14)
  }, 120_000)
})
