/**
 * @module Which PDF pages a vision model should read: pages with little or no text (scans, pages
 * drawn as pictures), whose words are otherwise missing from the index, and pages with figures,
 * charts or diagrams, whose content text extraction misses. Scans come first when the budget is short.
 */
import type { PageContents } from './pdfium'

/** Images, forms and shadings covering this share of a page make it a figure page (a chart, a screenshot, a photo). */
const FIGURE_AREA = 0.05
/** Vector drawings: many path objects spread over a good part of the page (charts, diagrams; ruled tables too). */
const FIGURE_PATHS = 40
const FIGURE_PATH_AREA = 0.15
/** Fewer text objects than this and PDFium sees (almost) no text: a scan, or text drawn as curves. */
const SPARSE_TEXT_OBJECTS = 3

export type Candidate = { page: number; reason: 'scan' | 'figure' }

/** PDFium's view, before any text is extracted: is there (almost) no text on the page? */
export function looksTextless(contents: PageContents): boolean {
  return contents.textObjects < SPARSE_TEXT_OBJECTS
}

export function hasFigure(contents: PageContents): boolean {
  return contents.figureArea >= FIGURE_AREA || (contents.pathObjects >= FIGURE_PATHS && contents.pathArea >= FIGURE_PATH_AREA)
}

/** Whether a page is worth a detailed render: a vision model may be asked to read it. */
export function worthReading(contents: PageContents): boolean {
  return looksTextless(contents) || hasFigure(contents)
}

/** What a page render records about its page, enough to choose the pages a vision model reads. */
export type PageVerdict = { page: number; textless: boolean; figure: boolean }

export function verdict(page: number, contents: PageContents): PageVerdict {
  return { page, textless: looksTextless(contents), figure: hasFigure(contents) }
}

/**
 * The pages of a range a vision model should read, in the order they should get the budget:
 * textless pages (by the text extractor's verdict, or PDFium's) first, then figure pages (none with
 * `scansOnly`).
 * @example visionCandidates([{ page: 2, textless: false, figure: true }], [3]) // [{ page: 3, reason: 'scan' }, { page: 2, reason: 'figure' }]
 */
export function visionCandidates(pages: readonly PageVerdict[], textlessPages: readonly number[], { scansOnly = false } = {}): Candidate[] {
  const textless = new Set(textlessPages)
  for (const p of pages) if (p.textless) textless.add(p.page)
  const scans = [...textless].sort((a, b) => a - b).map((page): Candidate => ({ page, reason: 'scan' }))
  // A reader of text only (OCR) would repeat a text page's words, figure or not: scans only for it.
  if (scansOnly) return scans
  const figures = pages.filter((p) => !textless.has(p.page) && p.figure).map(({ page }): Candidate => ({ page, reason: 'figure' }))
  return [...scans, ...figures]
}
