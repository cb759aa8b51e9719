/// <reference types="vite/client" />
/**
 * @module The parsers against the real sample files: the text comes out, with the right
 * provenance, compared loosely with other tools' outputs that sit beside the samples.
 */
import { describe, expect, it } from 'vitest'
import { chunkSegments } from '../../src/ingest/chunker'
import { DamagedFileError } from '../../src/ingest/errors'
import { sniffFileType, type FileKind } from '../../src/ingest/file-type'
import { parseDocument } from '../../src/ingest/parsers/registry'
import type { ParseResult, Segment } from '../../src/ingest/segment'
import { fixtureBytes, fixtureText } from './fixtures'

const SAMPLES = Object.keys(import.meta.glob('../../../shared/fixtures/samples/**/*')).map((p) =>
  p.replace('../../../shared/fixtures/samples/', ''),
)

async function parseSample(path: string): Promise<ParseResult> {
  const bytes = await fixtureBytes(`samples/${path}`)
  const sniffed = sniffFileType(bytes, path)
  if (!sniffed.ok) throw new Error(`${path} was refused: ${sniffed.reason}`)
  const outcome = await parseDocument(bytes, sniffed.kind)
  if (outcome.status !== 'parsed') throw new Error(`${path}: ${outcome.reason}`)
  return outcome.result
}

const allText = (segments: readonly Segment[]) => segments.map((s) => s.text).join('\n')
const words = (text: string) =>
  new Set(
    text
      .normalize('NFKC')
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter((w) => w.length >= 2),
  )

/** Share of the reference's distinct words found in the extracted text. */
function coverage(extracted: string, reference: string): number {
  const got = words(extracted)
  const want = [...words(reference)]
  return want.filter((w) => got.has(w)).length / want.length
}

/** Docling's table lines use `| - |` separators and padded cells; compare cell contents only. */
const cellsOf = (line: string) =>
  JSON.stringify(
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim().replace(/\\\|/g, '|')),
  )

function onPage(result: ParseResult, page: number): string {
  return allText(result.segments.filter((s) => s.provenance.page === page))
}

describe('every sample', () => {
  const expectedKind: Record<string, FileKind> = {
    pdf: 'pdf', docx: 'docx', pptx: 'pptx', xlsx: 'xlsx', csv: 'csv', md: 'markdown', json: 'json', txt: 'text',
    png: 'png', jpg: 'jpeg', wav: 'wav', mp3: 'mp3',
  }

  it('is sniffed as the kind its extension names', async () => {
    expect(SAMPLES.length).toBeGreaterThan(80)
    for (const path of SAMPLES) {
      const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase()
      const result = sniffFileType(await fixtureBytes(`samples/${path}`), path)
      expect(result, path).toEqual({ ok: true, kind: expectedKind[ext] })
    }
  })

  it('of images and audio is handed on to a vision or speech model through the registry', async () => {
    for (const path of SAMPLES.filter((p) => /^(image|audio)\//.test(p) && !p.endsWith('.txt'))) {
      const bytes = await fixtureBytes(`samples/${path}`)
      const sniffed = sniffFileType(bytes, path)
      if (!sniffed.ok) throw new Error(sniffed.reason)
      const outcome = await parseDocument(bytes, sniffed.kind)
      expect(outcome, path).toMatchObject({ status: 'needs-model', model: path.startsWith('image/') ? 'vision' : 'speech' })
    }
  })

  it('of a text format chunks into bounded chunks with unique, stable ids', async () => {
    const textual = SAMPLES.filter((p) => /^(pdf|docx|pptx|xlsx|csv|markdown|text)\//.test(p) || p.startsWith('json/tesseract'))
    for (const path of textual) {
      const result = await parseSample(path)
      const chunks = chunkSegments(result.segments, { fileId: 'file-x' })
      const again = chunkSegments(result.segments, { fileId: 'file-x' })
      expect(new Set(chunks.map((c) => c.id)).size, path).toBe(chunks.length)
      expect(again.map((c) => c.id)).toEqual(chunks.map((c) => c.id))
      for (const chunk of chunks) expect(chunk.tokenCount, `${path} ${chunk.id}`).toBeLessThanOrEqual(400)
    }
  }, 120_000)
})

describe('PDF', () => {
  it.each([
    ['2305.03393v1-pg9', 1],
    ['multi_page', 5],
    ['normal_4pages', 4],
    ['redp5110_sampled', 18],
  ])('%s: the reference text comes out, one segment per page', async (name, pages) => {
    const result = await parseSample(`pdf/${name}.pdf`)
    expect(result.pageCount).toBe(pages)
    const reference = await fixtureText(`samples/pdf/${name}.docling_groundtruth.md`)
    expect(coverage(allText(result.segments), reference)).toBeGreaterThan(0.95)
    for (const segment of result.segments) {
      expect(segment.provenance.modality).toBe('text')
      expect(segment.charStart).toBe(0)
      expect(segment.charEnd).toBe(segment.text.length)
    }
  })

  it('puts known phrases on their pages', async () => {
    const multi = await parseSample('pdf/multi_page.pdf')
    expect(onPage(multi, 1)).toContain('The Evolution of the Word Processor')
    expect(onPage(multi, 4)).toContain('A Glimpse Into the Future')
    expect(onPage(multi, 5)).toContain('remain at the heart of how we express ideas')
    expect(onPage(multi, 1)).not.toContain('A Glimpse Into the Future')
    const trace = await parseSample('pdf/tracemonkey.pdf')
    expect(trace.pageCount).toBe(14)
    expect(onPage(trace, 1)).toContain('Trace-based Just-in-Time Type Specialization for Dynamic')
    expect(onPage(trace, 14)).toContain('References')
    const redp = await parseSample('pdf/redp5110_sampled.pdf')
    expect(onPage(redp, 1)).toContain('Row and Column Access Control')
    expect(redp.textlessPages).toEqual([17])
  })

  it('reads Korean and Arabic text', async () => {
    const korean = await parseSample('pdf/normal_4pages.pdf')
    expect(onPage(korean, 1)).toContain('코로나')
    const arabic = await parseSample('pdf/right_to_left_01.pdf')
    expect(allText(arabic.segments)).toMatch(/[\u0600-\u06ff]{3,}/)
    expect(allText(arabic.segments)).toContain('Python')
  })

  it('reports image-only pages as textless instead of inventing text', async () => {
    for (const name of ['scanned_ocr_test', 'scanned_ocr_test_rotated_90']) {
      const result = await parseSample(`pdf/${name}.pdf`)
      expect(result.pageCount).toBe(1)
      expect(result.textlessPages).toEqual([1])
      expect(result.segments).toEqual([])
    }
  })

  it('vertical CJK without CMaps: pages come back textless, for a vision model to read', async () => {
    // pdf.js needs the Adobe CMaps to map Identity-V CIDs to Unicode; none ship with unpdf.
    const result = await parseSample('pdf/vertical_cjk.pdf')
    expect(result.pageCount).toBe(3)
    expect(result.textlessPages).toEqual([1, 2, 3])
  })
})

describe('DOCX', () => {
  it('word_sample: headings, lists and a Markdown table, as in the reference', async () => {
    const { segments } = await parseSample('docx/word_sample.docx')
    expect(coverage(allText(segments), await fixtureText('samples/docx/word_sample.docx.docling_groundtruth.md'))).toBeGreaterThan(0.97)
    const eat = segments.find((s) => s.text.startsWith('Let’s eat'))!
    expect(eat.provenance.heading).toEqual(['Swimming in the lake', 'Let’s swim!', 'Let’s eat'])
    const table = segments.find((s) => s.provenance.modality === 'table')!
    expect(table.provenance.heading).toEqual(['Swimming in the lake', 'Let’s swim!', 'Let’s eat'])
    expect(table.table!.header.split('\n')[0]).toBe('|  | Food | Calories per portion |')
    expect(table.text).toContain('| Berries | Blueberry, Strawberry, Cranberry | 150 |')
    expect(allText(segments)).toContain('- Paddle about')
  })

  it('word_tables: every reference table row comes out, spans repeated', async () => {
    const { segments } = await parseSample('docx/word_tables.docx')
    const ours = new Set(segments.flatMap((s) => s.text.split('\n')).map(cellsOf))
    const reference = (await fixtureText('samples/docx/word_tables.docx.docling_groundtruth.md'))
      .split('\n')
      .filter((l) => l.startsWith('|') && !/^\|[\s|-]+\|$/.test(l) && l.replace(/[|\s]/g, ''))
    expect(reference.length).toBeGreaterThan(20)
    for (const line of reference) expect(ours, line).toContain(cellsOf(line))
    expect(segments.filter((s) => s.provenance.modality === 'table')).toHaveLength(7)
  })

  it('poi_SampleDoc: body text and document properties', async () => {
    const { segments } = await parseSample('docx/poi_SampleDoc.docx')
    const reference = await fixtureText('samples/docx/poi_SampleDoc.txt')
    expect(coverage(allText(segments), reference)).toBeGreaterThan(0.95)
    expect(segments[0]!.provenance.heading).toEqual(['Document properties'])
    expect(segments[0]!.text).toContain('Title: Test Document')
    expect(allText(segments)).toContain('It’s Arial Black in 16 point')
  })

  it('nested heading levels build the path', async () => {
    const { segments } = await parseSample('docx/unit_test_headers.docx')
    const deep = segments.find((s) => s.text.startsWith('Section 1.2.3'))!
    expect(deep.provenance.heading).toEqual(['Test Document', 'Section 1', 'Section 1.2', 'Section 1.2.3'])
  })

  it('text boxes, equations, comments, headers and footers come out', async () => {
    expect(allText((await parseSample('docx/textbox.docx')).segments)).toContain('Infectious Disease Reporting Procedure')
    expect(allText((await parseSample('docx/equations.docx')).segments)).toContain('E=mc^2')
    const commented = (await parseSample('docx/docx_comments.docx')).segments
    const comments = commented.find((s) => s.provenance.heading?.[0] === 'Comments')!
    expect(comments.text).toContain('John Reviewer: This is a sample reviewer comment on the first paragraph.')
    const furniture = allText((await parseSample('docx/poi_headerFooter.docx')).segments)
    expect(furniture).toContain('This is a simple header')
    expect(furniture).toContain('and this is a simple footer')
  })
})

describe('PPTX', () => {
  it('poi_SampleShow: each slide’s text and speaker notes on its own page', async () => {
    const result = await parseSample('pptx/poi_SampleShow.pptx')
    expect(result.pageCount).toBe(2)
    const reference = await fixtureText('samples/pptx/poi_SampleShow.txt')
    const blocks = reference.split(/\((Slide|Notes) (\d)\)\n/).slice(1)
    for (let i = 0; i < blocks.length; i += 3) {
      const page = Number(blocks[i + 1])
      for (const line of blocks[i + 2]!.split('\n').map((l) => l.replace(/^\* /, '').trim()).filter(Boolean)) {
        expect(onPage(result, page), `slide ${page}`).toContain(line)
      }
    }
    expect(onPage(result, 1)).toContain('Speaker notes:\nI am the notes of the first slide')
    // Every chunk of a deck cites a slide: the deck's properties go with slide 1.
    expect(result.segments.every((s) => s.provenance.page === 1 || s.provenance.page === 2)).toBe(true)
    expect(onPage(result, 1)).toContain('Title: SlideShow Sample')
    expect(result.segments.find((s) => s.provenance.page === 2)!.provenance.heading).toEqual(['This is the second slide'])
  })

  it('powerpoint_sample: text and a merged-cell table on the right slides', async () => {
    const result = await parseSample('pptx/powerpoint_sample.pptx')
    const reference = await fixtureText('samples/pptx/powerpoint_sample.pptx.docling_groundtruth.md')
    expect(coverage(allText(result.segments), reference)).toBeGreaterThan(0.97)
    const table = result.segments.find((s) => s.provenance.modality === 'table')!
    expect(table.provenance.page).toBe(1)
    expect(table.text).toContain('| R1 | True | False |  | False | True | True |')
    expect(onPage(result, 3)).toContain('Final notes on the third slide.')
  })

  it('pptx_chart: chart titles and cached values as tables', async () => {
    const result = await parseSample('pptx/pptx_chart.pptx')
    expect(onPage(result, 1)).toContain('Wild Duck Observations by Year')
    const chart = result.segments.find((s) => s.provenance.page === 1 && s.provenance.modality === 'table')!
    expect(chart.text).toContain('|  | Freshwater Ducks | Saltwater Ducks |')
    expect(chart.text).toContain('| 2022 | 175 | 130 |')
  })

  it('comments and picture descriptions belong to their slides', async () => {
    const comments = await parseSample('pptx/powerpoint_comments.pptx')
    expect(onPage(comments, 1)).toContain('This is a sample reviewer comment')
    expect(onPage(comments, 3)).toContain('I need to try this out!')
    const pictures = await parseSample('pptx/powerpoint_with_image.pptx')
    expect(onPage(pictures, 1)).toContain('[Image: A cartoon duck holding a paper')
  })
})

describe('XLSX', () => {
  it('xlsx_01: every reference table row, on its sheet, with sheet row numbers', async () => {
    const { segments } = await parseSample('xlsx/xlsx_01.xlsx')
    const reference = await fixtureText('samples/xlsx/xlsx_01.xlsx.docling_groundtruth.md')
    const sheets = reference.split(/^## /m).slice(1)
    expect(sheets).toHaveLength(3)
    for (const block of sheets) {
      const sheet = block.slice(0, block.indexOf('\n')).trim()
      const ours = new Set(segments.filter((s) => s.provenance.sheet === sheet).flatMap((s) => s.text.split('\n')).map(cellsOf))
      // Docling's own chart renderings (padded `|----|` tables) are its invention, not the sheet's.
      const rows = block.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| -') && !l.startsWith('|  '))
      for (const line of rows) expect(ours, `${sheet}: ${line}`).toContain(cellsOf(line))
    }
    const second = segments.filter((s) => s.provenance.sheet === 'Sheet2')
    expect(second.map((s) => s.provenance.rows)).toEqual([[2, 9], [6, 9], [15, 18]])
  })

  it('a title above a table is its own text, and the header is the table’s first row', async () => {
    const { segments } = await parseSample('xlsx/xlsx_05_table_with_title.xlsx')
    const [title, table] = segments.filter((s) => s.provenance.sheet === 'Duck Observations')
    expect(title!.text).toBe('Number of freshwater ducks per year')
    expect(title!.provenance).toEqual({ sheet: 'Duck Observations', rows: [2, 2], modality: 'text' })
    expect(table!.provenance.rows).toEqual([5, 10])
    expect(table!.table!.header.split('\n')[0]).toBe('| Year | Freshwater Ducks |')
  })

  it('tables touching only at a corner stay apart; dates read as dates; chart sheets are skipped', async () => {
    const edge = (await parseSample('xlsx/xlsx_06_edge_cases_.xlsx')).segments.filter((s) => s.provenance.sheet === 'Diagonal')
    expect(edge.map((s) => s.provenance.rows)).toEqual([[2, 4], [6, 7]])
    const pivot = allText((await parseSample('xlsx/poi_ExcelPivotTableSample.xlsx')).segments)
    expect(pivot).toContain('| a | 1 | 2022-01-01 |')
    const charts = (await parseSample('xlsx/xlsx_03_chartsheet.xlsx')).segments
    expect(charts.filter((s) => s.provenance.sheet).every((s) => s.provenance.sheet === 'Duck Observations')).toBe(true)
    expect(allText(charts)).toContain('| 2024 | 180 | 130 | 310 |')
  })

  it('every chunk of a sheet table repeats its header', async () => {
    const { segments } = await parseSample('xlsx/xlsx_06_edge_cases_.xlsx')
    const chunks = chunkSegments(segments, { fileId: 'f', maxTokens: 60 }).filter((c) => c.provenance.modality === 'table')
    expect(chunks.length).toBeGreaterThan(segments.filter((s) => s.table).length)
    for (const chunk of chunks) {
      const source = segments.find((s) => s.table && s.provenance.sheet === chunk.provenance.sheet && chunk.text.startsWith(s.table.header))
      expect(source, chunk.text).toBeDefined()
      expect(chunk.provenance.rows![0]).toBeGreaterThanOrEqual(source!.provenance.rows![0])
    }
  })
})

describe('CSV', () => {
  const reference = fixtureText('samples/csv/csv-comma.csv.docling_groundtruth.md')

  it.each([
    ['csv-comma', ','],
    ['csv-semicolon', ';'],
    ['csv-tab', '\t'],
    ['csv-pipe', '|'],
  ])('%s: every row with its header, as in the reference', async (name, delimiter) => {
    const { segments } = await parseSample(`csv/${name}.csv`)
    expect(segments).toHaveLength(1)
    const table = segments[0]!
    expect(table.provenance).toEqual({ rows: [2, 6], modality: 'table' })
    const ours = new Set(table.text.split('\n').map(cellsOf))
    for (const line of (await reference).split('\n').filter((l) => l.startsWith('|') && !l.startsWith('| -'))) {
      const cells = JSON.parse(cellsOf(line)) as string[]
      // The reference is the comma file's; the others write "Lozano" without ", Dr" and quote
      // two companies with their own delimiter inside ("Dominguez;Mcmillan and Donovan").
      const expected =
        name === 'csv-comma'
          ? cells
          : cells.map((c) => (c === 'Lozano, Dr' ? 'Lozano' : c.replace(/^(Dominguez|Martin), /, `$1${delimiter}`)))
      expect(ours, expected.join(' | ')).toContain(JSON.stringify(expected))
    }
  })

  it('quoted delimiters stay inside their cell', async () => {
    expect((await parseSample('csv/csv-comma-in-cell.csv')).segments[0]!.text).toContain('| a | , | c | d |')
    expect((await parseSample('csv/csv-pipe.csv')).segments[0]!.text).toContain('| Dominguez\\|Mcmillan and Donovan |')
  })

  it('every chunk repeats the header row and cites its rows', async () => {
    for (const name of ['csv-comma', 'csv-tab', 'csv-single-column']) {
      const { segments } = await parseSample(`csv/${name}.csv`)
      const header = segments[0]!.table!.header
      const chunks = chunkSegments(segments, { fileId: 'f', maxTokens: name === 'csv-single-column' ? 24 : 150 })
      expect(chunks.length, name).toBeGreaterThan(1)
      let next = 2
      for (const chunk of chunks) {
        expect(chunk.text.startsWith(`${header}\n`)).toBe(true)
        expect(chunk.provenance.rows![0]).toBe(next)
        next = chunk.provenance.rows![1] + 1
      }
      expect(next - 1).toBe(segments[0]!.provenance.rows![1])
    }
  })
})

describe('Markdown, JSON, text', () => {
  it('Markdown sections carry heading paths; code comments are not headings', async () => {
    const wiki = (await parseSample('markdown/wiki.md')).segments
    expect(wiki.map((s) => s.provenance.heading)).toEqual([['IBM'], ['IBM', '1910s–1950s'], ['IBM', '1960s–1980s']])
    const whisper = (await parseSample('markdown/whisper.cpp_README.md')).segments
    const headings = whisper.map((s) => s.provenance.heading?.join(' > '))
    expect(headings).toContain('whisper.cpp > Quick start')
    expect(headings).not.toContain('build the project')
    expect(allText(whisper)).toContain('# build the project')
    const table = (await parseSample('markdown/ending_with_table.md')).segments[0]!
    expect(table.table!.rows.map((r) => r.text)).toContain('| Huey | Tick | Riri | Qui |')
    const formatted = (await parseSample('markdown/inline_and_formatting.md')).segments
    expect(formatted.map((s) => s.provenance.heading?.at(-1))).toContain('Partially formatted heading to_escape not_to_escape')
  })

  it('JSON comes out as key paths and values', async () => {
    const pkg = (await parseSample('json/tesseract.js_package.json')).segments
    expect(pkg[0]!.text.split('\n')).toContain('name: tesseract.js')
    expect(pkg.every((s) => s.provenance.keyPath?.startsWith('$'))).toBe(true)
    const manifest = (await parseSample('json/pdfjs_test_manifest.json')).segments
    expect(manifest.length).toBeGreaterThan(50)
    expect(manifest[0]!.provenance.keyPath).toMatch(/^\$\[0\.\.\d+\]$/)
    expect(allText(manifest)).toContain('.id: postscript-type4-many-outputs')
    const unicode = (await parseSample('json/y_object_string_unicode.json')).segments
    expect(unicode[0]!.text).toBe('title: Полтора Землекопа')
  })

  it('the truncated dots_simple.json ends in a readable error', async () => {
    const bytes = await fixtureBytes('samples/json/dots_simple.json')
    await expect(parseDocument(bytes, 'json')).rejects.toBeInstanceOf(DamagedFileError)
    await expect(parseDocument(bytes, 'json')).rejects.toThrow('the file is not valid JSON')
  })

  it('plain text is one segment that chunks at paragraph and sentence boundaries', async () => {
    const { segments } = await parseSample('text/uspto_patent_pftaps057006474.txt')
    expect(segments).toHaveLength(1)
    const chunks = chunkSegments(segments, { fileId: 'f' })
    expect(chunks.length).toBeGreaterThan(40)
    for (const chunk of chunks) expect(segments[0]!.text.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text)
  })
})
