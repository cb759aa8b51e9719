/**
 * @module PDF text per page through unpdf (pdf.js), each page titled by its first lines (page-titles.ts). Opening is cheap and gives the page count,
 * so big PDFs are fanned out into page ranges, each read on its own within the page and time caps.
 */
import { getDocumentProxy } from 'unpdf'
import { DamagedFileError, isIngestError, LimitExceededError, libraryDetail } from '../errors'
import { formatBytes, formatCount, startDeadline, withinDeadline, type Deadline, type Limits } from '../limits'
import type { ParseResult } from '../segment'
import type { StoredLayout } from '../../search/layout-store'
import { outputMeter, unmetered, type OutputMeter, type OutputSubject } from '../output-meter'
import { shownTextBytes, type ShownText } from './pdf-shown-text'
import { segmentBuilder } from '../segment-builder'
import { titleBlocks, titledPages } from './page-titles'
import { pageLayoutJson, type TextRun } from './pdf-layout'

export type PageRange = { from: number; to: number }

export type PdfDocument = {
  readonly pageCount: number
  /** Text of pages `from..to` (1-based, inclusive), one segment per page with text, counted by `meter`. */
  readPages(range: PageRange, deadline?: Deadline, meter?: OutputMeter): Promise<ParseResult>
  close(): Promise<void>
}

type PdfProxy = Awaited<ReturnType<typeof getDocumentProxy>>

/** How a PDF is named when it expands past the output budget, and what its owner can do. */
export const PDF_OUTPUT: OutputSubject = { what: 'PDF', advice: 'split it into smaller PDFs and upload them again' }

/** Pages with fewer characters than this are reported as textless (scans, figures). */
const TEXTLESS_CHARS = 20

/**
 * Opens a PDF and checks its page count against `limits.maxPages` and, with `judgeText`, the text its
 * content streams show against the output budget (`refuseExpandingContent`).
 * pdf.js takes ownership of `bytes` (its buffer may be detached): pass a copy if you still need them.
 */
export async function openPdf(bytes: Uint8Array, limits: Limits, deadline?: Deadline, judgeText = true): Promise<PdfDocument> {
  const budget = deadline ?? startDeadline(limits.timeBudgetMs)
  // Counted before pdf.js takes (and may detach) the bytes; judged once the page count is known.
  const shown = judgeText
    ? shownTextBytes(bytes, { perStream: limits.maxOutputChars, total: limits.maxOutputChars * messagesFor(limits.maxPages, limits), inflatedPerStream: limits.maxInflatedBytes })
    : null
  let pdf: PdfProxy
  try {
    pdf = await withinDeadline(
      getDocumentProxy(bytes, {
        verbosity: 0,
        isEvalSupported: false,
        stopAtErrors: false,
        maxImageSize: 16 * 1024 * 1024,
        isOffscreenCanvasSupported: false,
      }),
      budget,
      limits.timeBudgetMs,
    )
  } catch (err) {
    throw pdfError(err)
  }
  const pageCount = pdf.numPages
  if (pageCount > limits.maxPages) {
    await pdf.destroy().catch(() => {})
    throw new LimitExceededError(
      `the PDF has ${formatCount(pageCount)} pages, more than the ${formatCount(limits.maxPages)} Cairn reads in one file`,
    )
  }
  if (pageCount < 1) {
    await pdf.destroy().catch(() => {})
    throw new DamagedFileError('the PDF is damaged: it has no pages')
  }
  try {
    if (shown) refuseExpandingContent(shown, pageCount, limits)
  } catch (err) {
    await pdf.destroy().catch(() => {})
    throw err
  }

  return {
    pageCount,
    async readPages(range, deadline = startDeadline(limits.timeBudgetMs), meter = unmetered()) {
      const { from, to } = checkRange(range, pageCount, limits.maxPagesPerMessage)
      const out = segmentBuilder(meter)
      const textlessPages: number[] = []
      const layouts: StoredLayout[] = []
      // Whole blocks of pages are read so that a page's title does not depend on the range (page-titles.ts).
      const blocks = titleBlocks(from, to, pageCount)
      const texts: string[] = []
      for (let page = blocks.from; page <= blocks.to; page++) {
        deadline.check()
        const inRange = page >= from && page <= to
        let read: PageRead
        try {
          read = await withinDeadline(pageText(pdf, page, meter, inRange ? limits.maxLayoutChars : 0), deadline, limits.timeBudgetMs)
        } catch (err) {
          await pdf.destroy().catch(() => {})
          throw pdfError(err, page)
        }
        if (inRange && read.text.replace(/\s/g, '').length < TEXTLESS_CHARS) textlessPages.push(page)
        if (read.layout) layouts.push({ page, json: read.layout })
        texts.push(read.text)
      }
      const titles = titledPages(blocks.from, texts)
      for (let page = from; page <= to; page++) {
        const i = page - blocks.from
        out.restartOffsets()
        out.text(texts[i]!, { page, modality: 'text', ...(titles[i] ? { heading: [titles[i]!] } : {}) })
      }
      return { segments: out.segments, pageCount, textlessPages, layouts }
    },
    close: () => pdf.destroy().catch(() => {}),
  }
}

/**
 * Refuses, before pdf.js reads a page, a PDF whose drawing instructions show more text than any
 * message could accept: one content stream over the output budget (a page, or a form it draws), or
 * all of them over the budget of every message the file is read in. pdf.js would spend a minute or
 * more of uninterruptible CPU on such a page before the meter could refuse it: past the Worker's CPU
 * limit deployed, and locally long enough to starve every other request of the one-threaded runtime.
 */
function refuseExpandingContent(shown: ShownText, pageCount: number, limits: Limits): void {
  // pdf.js would hold such a stream whole in memory, and draw nothing from it that fits a Worker.
  if (shown.over === 'inflated') {
    throw new LimitExceededError(
      `the drawing instructions of one page of the PDF inflate to more than ${formatBytes(limits.maxInflatedBytes)}, more than Cairn reads from one page; ${PDF_OUTPUT.advice}`,
    )
  }
  const budget = (maxOutputChars: number) => outputMeter({ maxOutputChars, maxSegments: Number.POSITIVE_INFINITY }, PDF_OUTPUT)
  budget(limits.maxOutputChars).check(shown.largest)
  budget(limits.maxOutputChars * messagesFor(pageCount, limits)).check(shown.total)
}

const messagesFor = (pages: number, limits: Limits) => Math.ceil(pages / limits.maxPagesPerMessage)

/** Page count alone, for planning page-range messages; the file's text is judged here, once. */
export async function pdfPageCount(bytes: Uint8Array, limits: Limits): Promise<number> {
  const pdf = await openPdf(bytes, limits)
  await pdf.close()
  return pdf.pageCount
}

/**
 * Reads a page range (default: the whole PDF, if it fits in one message). A range comes from a plan
 * made by `pdfPageCount`, which judged the file's text already: each message need not scan it again.
 */
export async function parsePdf(bytes: Uint8Array, limits: Limits, deadline: Deadline, range?: PageRange, meter?: OutputMeter): Promise<ParseResult> {
  const pdf = await openPdf(bytes, limits, deadline, range === undefined)
  try {
    return await pdf.readPages(range ?? { from: 1, to: pdf.pageCount }, deadline, meter)
  } finally {
    await pdf.close()
  }
}

/** The page ranges a PDF of `pageCount` pages is read in, one queue message each. */
export function planPageRanges(pageCount: number, perMessage: number): PageRange[] {
  const ranges: PageRange[] = []
  for (let from = 1; from <= pageCount; from += perMessage) ranges.push({ from, to: Math.min(pageCount, from + perMessage - 1) })
  return ranges
}

function checkRange(range: PageRange, pageCount: number, perMessage: number): PageRange {
  const { from, to } = range
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 1 || to < from) {
    throw new RangeError(`invalid page range ${from}–${to}`)
  }
  if (from > pageCount) throw new DamagedFileError(`the PDF has ${pageCount} pages, so page ${from} cannot be read`)
  const last = Math.min(to, pageCount)
  if (last - from + 1 > perMessage) {
    throw new LimitExceededError(
      `pages ${from}–${last} are more than the ${perMessage} pages read in one step; the file must be read in page ranges`,
    )
  }
  return { from, to: last }
}

type PageRead = { text: string; layout: string | null }

/** The page's tidied text and, with a positive `maxLayoutChars`, its layout (pdf-layout.ts). */
async function pageText(pdf: PdfProxy, pageNumber: number, meter: OutputMeter, maxLayoutChars: number): Promise<PageRead> {
  const page = await pdf.getPage(pageNumber)
  try {
    // Whole, not streamed: with pdf.js's text stream (cancelled at the budget, or read to its end)
    // the local runtime stopped answering anything afterwards. A page that inflates past the budget
    // is refused once it is read.
    const content = await page.getTextContent()
    const runs: TextRun[] = []
    let text = ''
    for (const item of content.items) {
      if (!('str' in item)) continue
      text += item.str
      if (item.hasEOL) text += '\n'
      runs.push(item)
    }
    meter.check(text.length)
    const layout = maxLayoutChars > 0 ? pageLayoutJson(runs, page.getViewport({ scale: 1 }), maxLayoutChars) : null
    return { text: tidyPageText(text), layout }
  } finally {
    page.cleanup()
  }
}

/** Collapses runs of spaces, trims line ends and keeps at most one blank line. */
export function tidyPageText(text: string): string {
  return text
    .replace(/\u0000/g, '')
    .replace(/[^\S\n]+/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
}

/** Turns whatever pdf.js threw into a sentence about the file. */
export function pdfError(err: unknown, page?: number): Error {
  if (isIngestError(err)) return err
  const name = err instanceof Error ? err.name : ''
  if (name === 'PasswordException') {
    const code = (err as { code?: number }).code
    return new DamagedFileError(
      code === 2 ? 'the PDF is encrypted and the password given is wrong' : 'the PDF is encrypted and needs a password',
    )
  }
  const where = page ? ` (page ${page})` : ''
  const detail = libraryDetail(err)
  if (name === 'InvalidPDFException' || name === 'FormatError' || name === 'MissingPDFException' || name === 'UnknownErrorException') {
    return new DamagedFileError(`the PDF is damaged and cannot be read${where}${detail ? `: ${detail}` : ''}`)
  }
  if (err instanceof RangeError && /call stack/i.test(err.message)) {
    return new DamagedFileError(`the PDF is damaged: its structure loops back on itself${where}`)
  }
  return new DamagedFileError(`the PDF is damaged and cannot be read${where}`)
}
