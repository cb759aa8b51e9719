/**
 * @module What parsers produce and the chunker consumes: segments of extracted text with their
 * provenance, and the chunks that are indexed and cited.
 */
import type { StoredLayout } from '../search/layout-store'

export type Modality = 'text' | 'table' | 'image' | 'audio'

/** Where a piece of text comes from, as precisely as its format allows. */
export type Provenance = {
  /** 1-based PDF page or slide number. */
  page?: number
  /** Sheet name (xlsx); a CSV has none. */
  sheet?: string
  /**
   * Inclusive row range, numbered as a spreadsheet program shows them: in a CSV the header is
   * row 1 and the first data row is row 2; in an xlsx these are the sheet's own row numbers, so
   * several tables on one sheet never share numbers.
   */
  rows?: [number, number]
  /** Heading path, outermost first (Markdown and docx headings, a slide's title). */
  heading?: string[]
  /** JSONPath-like key path (`$.dependencies`, `$.tests[3..9]`). */
  keyPath?: string
  /** Seconds from the start of a recording. */
  startTime?: number
  endTime?: number
  modality: Modality
}

/** One row of a table segment, already rendered as a Markdown table line. */
export type TableRow = {
  text: string
  /** Row number in the sense of `Provenance.rows`, where the format has one. */
  row?: number
}

/**
 * A table's structure, so the chunker can repeat the header in every chunk: a row is never
 * read without its column names.
 */
export type TableBlock = {
  /** The header line and the separator line of a Markdown table. */
  header: string
  rows: TableRow[]
}

/**
 * Extracted text with provenance. `charStart`/`charEnd` locate `text` in the document's
 * extracted text (segments joined by blank lines); for paged formats (PDF, slides) they count
 * from the start of the segment's page, so a page range read on its own gives the same offsets.
 * A table segment's `text` is `table.header`, a newline, then its rows joined by newlines.
 */
export type Segment = {
  text: string
  provenance: Provenance
  charStart: number
  charEnd: number
  table?: TableBlock
}

/** What one parser call yields. */
export type ParseResult = {
  segments: Segment[]
  /** Total pages or slides of the document, where the format has them. */
  pageCount?: number
  /** Pages read with (almost) no text: scans or figures, candidates for a vision model. */
  textlessPages?: number[]
  /** Pictures placed on pages or slides (PNG, JPEG), in page order, for a vision model. */
  pictures?: EmbeddedPicture[]
  /** PDF only: where the text of each page read stands, for drawing citations (pages without text have none). */
  layouts?: StoredLayout[]
}

/** A picture inside a document, such as a slide's image. Inflated only when read, so only the ones a vision model reads cost memory. */
export type EmbeddedPicture = {
  page: number
  /** Its part in the package (`ppt/media/image3.png`): one picture placed on many slides (a logo) is one name. */
  name: string
  kind: 'png' | 'jpeg'
  read(): Uint8Array
}

/** A unit of retrieval: indexed, embedded and cited. */
export type Chunk = {
  /** Derived from the file id and the chunk's position, so a retried message overwrites. */
  id: string
  fileId: string
  /** Position within its part: the page for paged formats, else the whole document. */
  index: number
  text: string
  provenance: Provenance
  charStart: number
  charEnd: number
  tokenCount: number
}
