/**
 * @module A PDF page's own title, read off its first lines: "Consolidated Statements of Cash Flows",
 * "Note 7. Supplemental Balance Sheet Information". PDFs carry no headings, yet a question about
 * capital expenditure from the cash flow statement shares few words with the table's rows and many with
 * that title; the title becomes the page's heading, which the lexical index weighs double, the
 * embedder reads before each chunk, and a citation shows.
 *
 * Running heads and feet ("Table of Contents", the company's name, "Page 12") repeat on many pages and
 * title none: a line whose shape (digits aside) starts several pages of the same block of
 * `TITLE_BLOCK_PAGES` is skipped. Blocks are fixed by page number, not by the page range one message
 * reads, so a page gets the same title however the file is split. The title is then the first short line with a word in it, and the next if it qualifies it.
 */

/** Lines at the top of a page looked at. */
const TOP_LINES = 6
/** A title line is short; body text is not. */
const MAX_TITLE_LINE_CHARS = 80
const MAX_TITLE_CHARS = 160
/** Pages 1–5, 6–10, … are judged together; page ranges (PAGES_PER_MESSAGE) are multiples of it, so rarely read more. */
export const TITLE_BLOCK_PAGES = 5
/** A line starting this many pages of a block is a running head. */
const REPEATS_MIN = 3

/** The line's shape: case and numbers aside, so "Page 3" and "Page 4" are one running foot. */
const shape = (line: string) => line.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim()

const topLines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, TOP_LINES)

/**
 * Whether a second line still belongs to the title: a qualifier such as "(in millions)" or "$ in
 * millions", or a line in title case ("Consolidated Balance Sheets" under the company's name), not a
 * sentence that starts the body.
 */
function qualifiesTitle(line: string): boolean {
  if (/^[($]/.test(line)) return true
  return !/(^|\s)\p{Ll}{4,}/u.test(line)
}

/** The pages to read for the titles of pages `from..to`: whole blocks, within the document. */
export function titleBlocks(from: number, to: number, pageCount: number): { from: number; to: number } {
  const first = from - ((from - 1) % TITLE_BLOCK_PAGES)
  const last = Math.min(pageCount, to + ((TITLE_BLOCK_PAGES - (to % TITLE_BLOCK_PAGES)) % TITLE_BLOCK_PAGES))
  return { from: first, to: last }
}

/**
 * Titles for consecutive pages starting at page `first` (a block's first page), judged block by block.
 * @example titledPages(6, texts) // texts of pages 6–15: titles judged over 6–10, then 11–15
 */
export function titledPages(first: number, texts: readonly string[]): string[] {
  const titles: string[] = []
  for (let i = 0; i < texts.length; ) {
    const size = TITLE_BLOCK_PAGES - ((first + i - 1) % TITLE_BLOCK_PAGES)
    titles.push(...pageTitles(texts.slice(i, i + size)))
    i += size
  }
  return titles
}

/**
 * One title per page of `pages` (the texts of one block of consecutive pages), '' where none is found.
 * @example pageTitles(['Table of Contents\nCONSOLIDATED BALANCE SHEETS\n(in millions)\n…', …]) // ['CONSOLIDATED BALANCE SHEETS (in millions)', …]
 */
export function pageTitles(pages: readonly string[]): string[] {
  const starts = new Map<string, number>()
  for (const text of pages) for (const s of new Set(topLines(text).map(shape))) starts.set(s, (starts.get(s) ?? 0) + 1)
  return pages.map((text) => {
    const title: string[] = []
    for (const line of topLines(text)) {
      if ((starts.get(shape(line)) ?? 0) >= REPEATS_MIN) continue
      if (line.length > MAX_TITLE_LINE_CHARS || !/\p{L}{3}/u.test(line)) break
      if (title.length === 1 && !qualifiesTitle(line)) break
      title.push(line)
      // A line that ends like a sentence ends the title.
      if (title.length === 2 || /[.,;:]$/.test(line)) break
    }
    return title.join(' ').slice(0, MAX_TITLE_CHARS)
  })
}
