/**
 * Boxes on real PDF pages: each fixture is parsed as ingestion parses it (text, layouts, chunks),
 * and every chunk's boxes must cover the layout items that hold its words, and only about those;
 * a quote's boxes sit inside its chunk's; a scan keeps no layout.
 */
import { describe, expect, it } from 'vitest'
import { chunkSegments } from '../../src/ingest/chunker'
import { resolveLimits, startDeadline } from '../../src/ingest/limits'
import { parsePdf } from '../../src/ingest/parsers/pdf'
import type { ParseResult } from '../../src/ingest/segment'
import { decodePageLayout, type Box, type PageLayout } from '../../src/search/page-layout'
import { passageBoxes } from '../../src/search/passage-boxes'
import { coveredText, tokenRecall } from '../support/covered-text'
import { fixtureBytes } from './fixtures'

async function parse(name: string, limits = resolveLimits()): Promise<ParseResult> {
  return parsePdf(await fixtureBytes(`samples/pdf/${name}`), limits, startDeadline(60_000))
}

function layoutsOf(result: ParseResult): Map<number, PageLayout> {
  return new Map((result.layouts ?? []).map(({ page, json }) => [page, decodePageLayout(json)!]))
}

const area = (boxes: readonly Box[]) => boxes.reduce((sum, b) => sum + b.w * b.h, 0)

describe('every chunk of a text PDF is boxed over its own words', () => {
  for (const name of ['multi_page.pdf', 'normal_4pages.pdf', '2305.03393v1-pg9.pdf', 'redp5110_sampled.pdf', 'tracemonkey.pdf']) {
    it(name, async () => {
      const result = await parse(name)
      const layouts = layoutsOf(result)
      expect(layouts.size).toBeGreaterThan(0)
      const chunks = chunkSegments(result.segments, { fileId: 'file-x' })
      expect(chunks.length).toBeGreaterThan(0)
      for (const chunk of chunks) {
        const layout = layouts.get(chunk.provenance.page!)!
        const boxes = passageBoxes(layout, chunk.text)
        expect(boxes, chunk.id).not.toBeNull()
        for (const b of boxes!) {
          for (const v of [b.x, b.y, b.x + b.w, b.y + b.h]) {
            expect(v).toBeGreaterThanOrEqual(0)
            expect(v).toBeLessThanOrEqual(1.0001)
          }
          expect(b.w * b.h).toBeGreaterThan(0)
        }
        const covered = coveredText(layout, boxes!)
        expect(tokenRecall(chunk.text, covered), `${chunk.id}: ${chunk.text.slice(0, 80)}`).toBeGreaterThanOrEqual(0.9)
        // And not the whole page when the chunk is a part of it.
        expect(tokenRecall(covered, chunk.text), `${chunk.id} covers other words`).toBeGreaterThanOrEqual(0.85)
      }
    }, 60_000)
  }
})

describe('a passage on the page', () => {
  it('stands on its line: one box where the sentence is printed', async () => {
    const layout = layoutsOf(await parse('multi_page.pdf')).get(1)!
    const boxes = passageBoxes(layout, 'Patented in 1868 by Christopher Latham Sholes')!
    expect(boxes).toHaveLength(1)
    // pdf.js puts that line's baseline at y = 646.08 pt of 841.92 (from the bottom), 12 pt type,
    // starting at x = 72 pt of 595.2 after "mid-19th century. ".
    const [box] = boxes
    expect(box!.y).toBeCloseTo((841.92 - 646.08 - 0.8 * 12) / 841.92, 2)
    expect(box!.h).toBeCloseTo(12 / 841.92, 3)
    expect(box!.x).toBeGreaterThan(72 / 595.2 + 0.1)
    expect(box!.x + box!.w).toBeLessThan((72 + 391.9) / 595.2 - 0.05)
  })

  it('is found whatever its case, spacing and line breaks', async () => {
    const layout = layoutsOf(await parse('multi_page.pdf')).get(1)!
    const exact = passageBoxes(layout, 'professional documents more efficiently than handwriting')
    expect(exact).not.toBeNull()
    expect(exact!.length).toBe(2)
    expect(passageBoxes(layout, 'PROFESSIONAL\n  documents   more efficiently than hand-writing')).toEqual(exact)
  })

  it('is not drawn where the page does not hold it', async () => {
    const layout = layoutsOf(await parse('multi_page.pdf')).get(1)!
    expect(passageBoxes(layout, 'The Apollo guidance computer landed on the moon in 1969')).toBeNull()
    expect(passageBoxes(layout, '   ')).toBeNull()
  })

  it('a quote is drawn inside the chunk it comes from', async () => {
    const result = await parse('tracemonkey.pdf')
    const layouts = layoutsOf(result)
    const chunk = chunkSegments(result.segments, { fileId: 'file-x' }).find((c) => c.provenance.page === 2 && c.text.length > 600)!
    const layout = layouts.get(2)!
    const whole = passageBoxes(layout, chunk.text)!
    const sentence = chunk.text.slice(200, 320)
    const quote = sentence.slice(sentence.indexOf(' ') + 1, sentence.lastIndexOf(' '))
    const boxes = passageBoxes(layout, quote, chunk.text)!
    expect(area(boxes)).toBeLessThan(area(whole) / 2)
    const within = (b: Box) => whole.some((w) => b.x >= w.x - 1e-3 && b.y >= w.y - 1e-3 && b.x + b.w <= w.x + w.w + 1e-3 && b.y + b.h <= w.y + w.h + 1e-3)
    for (const b of boxes) expect(within(b), JSON.stringify(b)).toBe(true)
    expect(tokenRecall(quote, coveredText(layout, boxes))).toBeGreaterThanOrEqual(0.8)
  })
})

describe('layouts kept at ingestion', () => {
  it('a scan keeps none', async () => {
    const result = await parse('scanned_ocr_test.pdf')
    expect(result.layouts ?? []).toEqual([])
  })

  it('a page over the size cap keeps its lines instead of its items, and none under a tiny cap', async () => {
    const full = layoutsOf(await parse('multi_page.pdf')).get(1)!
    const json = (await parse('multi_page.pdf')).layouts!.find((l) => l.page === 1)!.json
    const lined = await parse('multi_page.pdf', resolveLimits({ maxLayoutChars: json.length - 1 }))
    const coarse = layoutsOf(lined).get(1)!
    expect(coarse.items.length).toBeLessThan(full.items.length)
    expect(coarse.items.map((i) => i.text).join('')).toBe(full.items.map((i) => i.text).join(''))
    expect(passageBoxes(coarse, 'Patented in 1868 by Christopher Latham Sholes')).not.toBeNull()
    const none = await parse('multi_page.pdf', resolveLimits({ maxLayoutChars: 50 }))
    expect(none.layouts).toEqual([])
  })
})
