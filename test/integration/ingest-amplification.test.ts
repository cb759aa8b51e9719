/**
 * Small files that expand to far more than they hold, one per class (test/support/amplifying-files.mjs):
 * each parser meters what it produces as it produces it and stops at the output budget with a
 * sentence naming the file's kind and what to do, long before the isolate's memory is at risk;
 * files of the same shapes but inside the budget are read whole.
 */
import { describe, expect, it } from 'vitest'
import { chunkSegments } from '../../src/ingest/chunker'
import { isIngestError, LimitExceededError } from '../../src/ingest/errors'
import type { FileKind } from '../../src/ingest/file-type'
import { DEFAULT_LIMITS } from '../../src/ingest/limits'
import { parseDocument } from '../../src/ingest/parsers/registry'
import {
  deepKeyPathJson,
  expandingPdf,
  hugeArrayJson,
  longHeaderCsv,
  mergedCellsXlsx,
  repeatedRunsDocx,
  repeatedTextPptx,
  sharedStringXlsx,
  spannedTableDocx,
} from '../support/amplifying-files.mjs'

async function refusal(bytes: Uint8Array, kind: FileKind): Promise<LimitExceededError> {
  try {
    await parseDocument(bytes, kind)
  } catch (err) {
    if (err instanceof LimitExceededError) return err
    throw err
  }
  throw new Error(`the ${kind} was parsed whole; it should have passed the output budget`)
}

const OVER_BUDGET: [string, () => Uint8Array, FileKind, RegExp][] = [
  ['one shared string in 30,000 cells', () => sharedStringXlsx(), 'xlsx', /^the spreadsheet expands to more than 12 million characters of text.*export the sheets you need as CSV/],
  ['merged ranges copying a long value', () => mergedCellsXlsx(), 'xlsx', /^the spreadsheet expands to more than 12 million characters/],
  ['paragraphs of repeated runs', () => repeatedRunsDocx(), 'docx', /^the document expands to more than 12 million characters.*smaller documents/],
  ['a table cell spanned and merged down', () => spannedTableDocx(), 'docx', /^the document expands to more than 12 million characters/],
  ['slides of repeated text', () => repeatedTextPptx(), 'pptx', /^the presentation expands to more than 12 million characters.*smaller decks/],
  ['a flat array of 1.9 million zeros', () => hugeArrayJson(), 'json', /^the JSON file expands to more than 12 million characters/],
]

describe('parsers stop at the output budget', { timeout: 60_000 }, () => {
  for (const [name, make, kind, sentence] of OVER_BUDGET) {
    it(`${kind}: ${name}`, async () => {
      const err = await refusal(make(), kind)
      expect(isIngestError(err)).toBe(true)
      expect(err.reason).toMatch(sentence)
    })
  }

  it('pdf: a content stream that inflates to pages of text', async () => {
    const err = await parseDocument(expandingPdf({ lines: 20_000, lineChars: 100 }), 'pdf', { limits: { maxOutputChars: 1_000_000 } }).catch((e) => e)
    expect(err).toBeInstanceOf(LimitExceededError)
    expect(err.reason).toMatch(/^the PDF expands to more than 1 million characters.*smaller PDFs/)
  })

  it('pdf: a page of 15 million characters is refused in seconds, before pdf.js reads it', async () => {
    // pdf.js reads a page's text in one uninterruptible stretch, about a microsecond a glyph: 16 s
    // here for this page, a minute and more on a busy machine, with the runtime deaf meanwhile.
    const bytes = expandingPdf()
    const started = Date.now()
    const err = await parseDocument(bytes, 'pdf').catch((e) => e)
    expect(err).toBeInstanceOf(LimitExceededError)
    expect(err.reason).toMatch(/^the PDF expands to more than 12 million characters.*smaller PDFs/)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('pdf: all pages together are judged against the budget of every page range the file is read in', async () => {
    // 20 pages of 90,000 characters, 1.8 million in all: more than one range of 20 pages may hold…
    const pdf = () => expandingPdf({ pages: 20, lines: 900, lineChars: 100 })
    const err = await parseDocument(pdf(), 'pdf', { limits: { maxOutputChars: 1_000_000, maxPagesPerMessage: 20 } }).catch((e) => e)
    expect(err).toBeInstanceOf(LimitExceededError)
    expect(err.reason).toMatch(/^the PDF expands to more than 1 million characters/)
    // …but not more than two ranges of 10 pages hold, and each is read whole.
    const outcome = await parseDocument(pdf(), 'pdf', { limits: { maxOutputChars: 1_000_000, maxPagesPerMessage: 10 }, pages: { from: 1, to: 10 } })
    if (outcome.status !== 'parsed') throw new Error('expected a parse')
    expect(outcome.result.segments.length).toBeGreaterThanOrEqual(10)
  })

  it('a key path repeated on every group is cut, and counted', async () => {
    const outcome = await parseDocument(deepKeyPathJson({ levels: 40, keyChars: 100, items: 2_000 }), 'json')
    if (outcome.status !== 'parsed') throw new Error('expected a parse')
    const paths = outcome.result.segments.map((s) => s.provenance.keyPath ?? '')
    expect(paths.length).toBeGreaterThan(10)
    // 40 levels of 100-character keys: over 4,000 characters whole, cut to 1,000 keeping both ends.
    for (const path of paths) {
      expect(path.length).toBeLessThanOrEqual(1_000)
      expect(path.startsWith('$.')).toBe(true)
      expect(path).toMatch(/…/)
      expect(path).toMatch(/\]$/)
    }
    // 500 levels of 2,000-character keys over 50,000 items: whole, each group's path would be a million characters.
    const deep = await parseDocument(deepKeyPathJson(), 'json')
    if (deep.status !== 'parsed') throw new Error('expected a parse')
    expect(deep.result.segments.length).toBeGreaterThan(100)
    for (const segment of deep.result.segments) expect(segment.provenance.keyPath!.length).toBeLessThanOrEqual(1_000)
  })

  it('a budget can be set lower, and the sentence says the figure', async () => {
    await expect(parseDocument(sharedStringXlsx({ stringChars: 1_000, cells: 2_000 }), 'xlsx', { limits: { maxOutputChars: 1_000_000 } })).rejects.toThrow(
      /expands to more than 1 million characters/,
    )
    await expect(parseDocument(sharedStringXlsx({ stringChars: 1_000, cells: 2_000 }), 'xlsx')).resolves.toMatchObject({ status: 'parsed' })
  })
})

describe('files of the same shapes inside the budget are read whole', () => {
  it('a shared string in many cells', async () => {
    const outcome = await parseDocument(sharedStringXlsx({ stringChars: 200, cells: 5_000 }), 'xlsx')
    if (outcome.status !== 'parsed') throw new Error('expected a parse')
    const rows = outcome.result.segments.reduce((n, s) => n + (s.table?.rows.length ?? 0), 0)
    // The first cell is the table's header; every other row is read.
    expect(rows).toBe(4_999)
  })

  it('a spanned table cell', async () => {
    const outcome = await parseDocument(spannedTableDocx({ cellChars: 20, rows: 3 }), 'docx')
    if (outcome.status !== 'parsed') throw new Error('expected a parse')
    expect(outcome.result.segments[0]!.text).toContain('s'.repeat(20))
  })

  it('a PDF page of text', async () => {
    const outcome = await parseDocument(expandingPdf({ lines: 200, lineChars: 50 }), 'pdf')
    if (outcome.status !== 'parsed') throw new Error('expected a parse')
    expect(outcome.result.segments[0]!.text.length).toBeGreaterThanOrEqual(200 * 50)
  })

  it('the default budget is what the sentences say', () => {
    expect(DEFAULT_LIMITS.maxOutputChars).toBe(12_000_000)
  })
})

describe('the chunker', () => {
  it('repeats a table header only when it fits in a chunk', async () => {
    const outcome = await parseDocument(longHeaderCsv({ headerChars: 100_000, rows: 20_000 }), 'csv')
    if (outcome.status !== 'parsed') throw new Error('expected a parse')
    const chunks = chunkSegments(outcome.result.segments, { fileId: 'file-header' })
    const total = chunks.reduce((n, c) => n + c.text.length, 0)
    // The header is written once (in the first chunks), not once per chunk of rows.
    expect(total).toBeLessThan(3 * (100_000 + 2 * 20_000))
    expect(chunks.filter((c) => c.text.includes('h'.repeat(1_000))).length).toBeLessThan(chunks.length / 2)

    const small = await parseDocument(longHeaderCsv({ headerChars: 20, rows: 5_000 }), 'csv')
    if (small.status !== 'parsed') throw new Error('expected a parse')
    const smallChunks = chunkSegments(small.result.segments, { fileId: 'file-small' })
    expect(smallChunks.length).toBeGreaterThan(2)
    for (const chunk of smallChunks) expect(chunk.text.startsWith(`| ${'h'.repeat(20)} |`)).toBe(true)
  })
})
