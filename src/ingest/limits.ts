/**
 * @module The caps every parser works under (bytes, entries, depth, pages, rows, time) and the
 * per-message deadline. Hostile files are stopped by these, not by luck.
 */
import { LimitExceededError } from './errors'

export type Limits = {
  /** Text-like files (txt, md, json, csv) larger than this are refused before decoding. */
  maxTextBytes: number
  /** Entries in a ZIP's central directory (docx, pptx, xlsx); checked before anything inflates. */
  maxArchiveEntries: number
  /** Bytes inflated from one archive, all parts read together, or from one PDF content stream; counted while inflating. */
  maxInflatedBytes: number
  /** Bytes inflated from any single part of an archive (rows, body and shared strings are parsed in batches). */
  maxPartBytes: number
  /**
   * XML parts parsed as one tree (slides, notes, styles, charts, comments): a parse tree weighs
   * ~15× its XML, and a Worker has 128 MB.
   */
  maxXmlTreeBytes: number
  /** Element nesting in an XML part. */
  maxXmlDepth: number
  /** Pages (or slides) a document may have at all. */
  maxPages: number
  /** Pages one queue message reads; bigger PDFs are fanned out into page ranges. */
  maxPagesPerMessage: number
  /** Rows in one sheet or CSV. */
  maxRowsPerSheet: number
  /** Non-empty cells in one sheet or CSV. */
  maxCellsPerSheet: number
  /** Nesting of arrays and objects in JSON. */
  maxJsonDepth: number
  /** Wall-clock budget for parsing in one message, in milliseconds. */
  timeBudgetMs: number
  /**
   * Characters of text one message may produce, provenance (headings, key paths) included, counted
   * as the parser produces them: the caps above count what a file holds, this counts what it expands
   * to (one shared string in 30,000 cells, a key path repeated on every line).
   */
  maxOutputChars: number
  /** Segments one message may produce (each carries its own provenance). */
  maxSegments: number
  /** Pixels a PNG may decode to, in megapixels; read from its header before anything inflates (rows are decoded one at a time). */
  maxPngMegapixels: number
  /** Pixels a JPEG may decode to, in megapixels (jpeg-js holds coefficients and pixels together, ~6 bytes a pixel). */
  maxJpegMegapixels: number
  /** Seconds of recording transcribed from one file. */
  maxAudioSeconds: number
  /**
   * Characters of one PDF page's stored layout (its text items' positions, for drawing citations):
   * a page over it keeps one position per line instead, or none. A message of 50 pages holds at most
   * 50 of them until they are written.
   */
  maxLayoutChars: number
}

/**
 * Sized for a 128 MB Worker, measured with V8's heap capped at 128 MB: a sheet of 300,000 cells
 * (13 MB of XML) peaks near 90 MB, 7 MB of JSON near 70 MB, a 100,000-row CSV near 50 MB.
 * Output: 12 million characters parsed and chunked peak near 100 MB (`npm run bench:hostile`
 * prints the figures). Raise them only with memory to spare.
 */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxTextBytes: 8 * 1024 * 1024,
  maxArchiveEntries: 10_000,
  maxInflatedBytes: 64 * 1024 * 1024,
  maxPartBytes: 16 * 1024 * 1024,
  maxXmlTreeBytes: 4 * 1024 * 1024,
  maxXmlDepth: 256,
  maxPages: 5_000,
  maxPagesPerMessage: 50,
  maxRowsPerSheet: 100_000,
  maxCellsPerSheet: 300_000,
  maxJsonDepth: 1_000,
  timeBudgetMs: 60_000,
  maxOutputChars: 12_000_000,
  maxSegments: 200_000,
  maxPngMegapixels: 150,
  maxJpegMegapixels: 16,
  maxAudioSeconds: 6 * 60 * 60,
  maxLayoutChars: 256 * 1024,
})

/** The defaults with some caps overridden (from config, or tighter ones in tests). */
export function resolveLimits(overrides: Partial<Limits> = {}): Limits {
  const limits: Limits = { ...DEFAULT_LIMITS }
  for (const [key, value] of Object.entries(overrides) as [keyof Limits, number | undefined][]) {
    if (value === undefined) continue
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`limit ${key} must be a positive number`)
    limits[key] = value
  }
  return limits
}

/** "12.5 MB": how sizes read in a reason. */
export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024)
  if (mb >= 1) return `${Number.isInteger(mb) ? mb : mb.toFixed(1)} MB`
  return `${Math.max(1, Math.round(bytes / 1024))} KB`
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US')
}

/** The moment parsing must stop; checked between pages, parts and rows. */
export type Deadline = {
  readonly at: number
  remainingMs(): number
  /** Throws once the budget is spent. */
  check(): void
}

export function startDeadline(budgetMs: number, now: () => number = Date.now): Deadline {
  const at = now() + budgetMs
  return {
    at,
    remainingMs: () => Math.max(0, at - now()),
    check() {
      if (now() >= at) throw timeLimitError(budgetMs)
    },
  }
}

export function timeLimitError(budgetMs: number): LimitExceededError {
  return new LimitExceededError(
    `reading the file took longer than the ${Math.round(budgetMs / 1000)} s allowed for one step; it may be damaged or unusually complex`,
  )
}

/**
 * Races a promise against the deadline. Work that never yields cannot be interrupted here;
 * the Worker's CPU limit is the last line for that.
 */
export async function withinDeadline<T>(work: Promise<T>, deadline: Deadline, budgetMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeLimitError(budgetMs)), deadline.remainingMs())
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}
