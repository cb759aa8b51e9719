/**
 * @module The parser registry: file kind → parser, the one door the pipeline parses through.
 *
 * | kind     | what comes out                                                          | provenance                                 |
 * |----------|-------------------------------------------------------------------------|--------------------------------------------|
 * | pdf      | text per page (unpdf); pages with no text listed for a vision model      | page; offsets count from the page's start  |
 * |          | (page renders and vision reads: `perception/pdf-perception.ts`)          |                                            |
 * | docx     | sections of paragraphs (lists, text boxes, equations, image alt text),  | heading path (Title, Heading 1–9); modality |
 * |          | tables as Markdown, then footnotes, endnotes, comments, headers/footers | text or table                              |
 * | pptx     | per slide: shapes, tables, charts (cached values), alt text, notes,     | page = slide number, heading = slide title;|
 * |          | comments                                                                | offsets count from the slide's start       |
 * | xlsx     | per sheet, tables found as regions of touching cells, merged cells      | sheet + rows (the sheet's row numbers)     |
 * |          | filled, dates as dates, first row of each table as its header           |                                            |
 * | csv      | one table (comma, semicolon, tab or pipe), first record as header       | rows (header = row 1, data from row 2)     |
 * | markdown | sections; pipe tables as tables                                         | heading path                               |
 * | json     | `path: value` lines, grouped by subtree to about one chunk              | keyPath (`$.a.b`, `$.items[3..9]`)         |
 * | text     | the whole text                                                          | offsets only                               |
 * | png/jpeg | `needs-model` (vision): read in `perception/image-file.ts`               | the file; modality image                   |
 * | wav/mp3  | `needs-model` (speech): transcribed in `perception/audio-file.ts`        | start/end time; modality audio             |
 *
 * docx, pptx and xlsx also give their document properties (title, subject, keywords, author) as
 * a segment headed "Document properties" (for pptx, on slide 1). Table segments carry their
 * header and rows so that the chunker repeats the header in every chunk.
 *
 * Every parser runs under `Limits`, a deadline and an output meter (what it produces, counted as it
 * produces it) and fails only with `IngestError`s.
 */
import { DamagedFileError, isIngestError } from '../errors'
import type { FileKind } from '../file-type'
import { resolveLimits, startDeadline, type Deadline, type Limits } from '../limits'
import { outputMeter, type OutputSubject } from '../output-meter'
import type { ParseResult } from '../segment'
import { parseCsv } from './csv'
import { parseDocx } from './docx'
import { parseJson } from './json'
import { parseMarkdown } from './markdown'
import type { Parser } from './parser'
import { parsePdf, PDF_OUTPUT, type PageRange } from './pdf'
import { parsePptx } from './pptx'
import { parseText } from './text'
import { parseXlsx } from './xlsx'

export type TextKind = Exclude<FileKind, 'png' | 'jpeg' | 'wav' | 'mp3'>

const PARSERS: Record<TextKind, Parser> = {
  pdf: (bytes, ctx) => parsePdf(bytes, ctx.limits, ctx.deadline, ctx.pages, ctx.output),
  docx: parseDocx,
  pptx: parsePptx,
  xlsx: parseXlsx,
  csv: parseCsv,
  markdown: parseMarkdown,
  json: parseJson,
  text: parseText,
}

const NEEDS_MODEL: Record<Exclude<FileKind, TextKind>, 'vision' | 'speech'> = {
  png: 'vision',
  jpeg: 'vision',
  wav: 'speech',
  mp3: 'speech',
}

export type ParseOutcome =
  | { status: 'parsed'; result: ParseResult }
  /** Images and audio: their text comes from a model, in the perception step. */
  | { status: 'needs-model'; model: 'vision' | 'speech'; reason: string }

export type ParseOptions = {
  limits?: Partial<Limits>
  deadline?: Deadline
  /** PDF only: the page range of this message. */
  pages?: PageRange
}

export function parserFor(kind: FileKind): Parser | undefined {
  return kind in PARSERS ? PARSERS[kind as TextKind] : undefined
}

/**
 * Parses a file of a sniffed kind. Rejects only with `IngestError`s (unsupported, damaged,
 * over a limit): anything else a library throws is turned into a `DamagedFileError`.
 * `bytes` may be consumed (pdf.js detaches them).
 * @example const outcome = await parseDocument(bytes, 'docx')
 */
export async function parseDocument(bytes: Uint8Array, kind: FileKind, options: ParseOptions = {}): Promise<ParseOutcome> {
  const model = (NEEDS_MODEL as Partial<Record<FileKind, 'vision' | 'speech'>>)[kind]
  if (model) {
    const what = model === 'vision' ? 'an image' : 'a recording'
    return { status: 'needs-model', model, reason: `${what} needs a ${model} model to be read` }
  }
  const textKind = kind as TextKind
  const parser = PARSERS[textKind]
  const limits = resolveLimits(options.limits)
  const deadline = options.deadline ?? startDeadline(limits.timeBudgetMs)
  try {
    const output = outputMeter(limits, OUTPUT_SUBJECTS[textKind])
    const ctx = options.pages ? { limits, deadline, output, pages: options.pages } : { limits, deadline, output }
    return { status: 'parsed', result: await parser(bytes, ctx) }
  } catch (err) {
    if (isIngestError(err)) throw err
    if (err instanceof RangeError && /call stack|invalid array length/i.test(err.message)) {
      throw new DamagedFileError(`the ${describeKind(textKind)} is damaged: its structure is too deeply nested or loops back on itself`, {
        cause: err,
      })
    }
    throw new DamagedFileError(`the ${describeKind(textKind)} is damaged and cannot be read`, { cause: err })
  }
}

function describeKind(kind: TextKind): string {
  const names: Record<TextKind, string> = {
    pdf: 'PDF',
    docx: 'document',
    pptx: 'presentation',
    xlsx: 'spreadsheet',
    csv: 'CSV file',
    markdown: 'Markdown file',
    json: 'JSON file',
    text: 'text file',
  }
  return names[kind]
}

/** What a file over its output budget is called, and what its owner can do (`output-meter.ts`). */
const OUTPUT_SUBJECTS: Record<TextKind, OutputSubject> = {
  pdf: PDF_OUTPUT,
  docx: { what: 'document', advice: 'split it into smaller documents and upload them again' },
  pptx: { what: 'presentation', advice: 'split it into smaller decks and upload them again' },
  xlsx: { what: 'spreadsheet', advice: 'split it, or export the sheets you need as CSV and upload those' },
  csv: { what: 'CSV file', advice: 'split it into smaller files and upload them again' },
  markdown: { what: 'Markdown file', advice: 'split it into smaller files and upload them again' },
  json: { what: 'JSON file', advice: 'split it into smaller files, or upload the part you need' },
  text: { what: 'text file', advice: 'split it into smaller files and upload them again' },
}
