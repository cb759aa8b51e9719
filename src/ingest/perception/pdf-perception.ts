/**
 * @module Perception for one page-range message of a PDF, when a vision model is configured: PDFium
 * inspects the pages before the text is extracted (it copies the bytes, pdf.js then takes them),
 * then the pages that need it — textless pages and figure pages, as far as the file's budget goes —
 * are drawn and sent to the vision model; and the part says what was drawn, read and skipped.
 */
import type { Models } from '../../models/ports'
import type { PageRange } from '../parsers/pdf'
import type { ParseResult, Segment } from '../segment'
import type { PartPerception } from './part-note'
import { inPageOrder, pageTextEnds, readPages } from './page-reading'
import { visionCandidates } from './page-selection'
import { NOT_INSPECTED, inspectRange } from './range-pages'
import { pageRenderKey } from './render-keys'
import { claimVisionPages } from './vision-budget'

export type PdfPerceptionDeps = { d1: D1Database; blobs: R2Bucket; models: Pick<Models, 'vision'>; budget: number }

export type PdfPerception = {
  /** Adds what the vision model read to the extracted text; the segments come back in page order. */
  read(parsed: ParseResult): Promise<{ segments: Segment[]; perception: PartPerception; note: string | null }>
  /** Removes this part's renders (the file failed, or was deleted while the part ran). */
  discardRenders(): Promise<void>
  close(): void
}

export async function startPdfPerception(deps: PdfPerceptionDeps, fileId: string, bytes: Uint8Array, range: PageRange): Promise<PdfPerception> {
  // Without a vision model nothing would read a page picture, so PDFium need not look at the pages.
  const pages = deps.models.vision ? await inspectRange(deps.blobs, fileId, bytes, range) : NOT_INSPECTED
  return {
    close: () => pages.close(),
    discardRenders: async () => {
      const keys = pages.drawn.map((page) => pageRenderKey(fileId, page))
      if (keys.length > 0) await deps.blobs.delete(keys)
    },
    async read(parsed) {
      const vision = deps.models.vision
      const textless = (parsed.textlessPages ?? []).filter((page) => page >= range.from && page <= range.to)
      const candidates = visionCandidates(pages.verdicts, textless, { scansOnly: vision?.readsTextOnly ?? false })
      const granted = vision ? await claimVisionPages(deps.d1, fileId, candidates.map((c) => c.page), deps.budget) : new Set<number>()
      const reading = vision
        ? await readPages(vision, candidates.filter((c) => granted.has(c.page)), async (page) => {
            const png = await pages.detailed(page)
            return png ? { bytes: png, mediaType: 'image/png' as const } : null
          }, pageTextEnds(parsed.segments))
        : { segments: [], seen: [], refused: [] }
      const seen = new Set(reading.seen)
      const notes: string[] = []
      if (pages.unavailable) notes.push(`${pages.unavailable}.`)
      if (pages.failed.length > 0) notes.push(`PDFium could not read ${pageList(pages.failed)}.`)
      for (const { page, reason } of reading.refused) notes.push(`The vision model could not read page ${page}: ${reason.replace(/\.$/, '')}.`)
      return {
        segments: inPageOrder(parsed.segments, reading.segments),
        perception: {
          pagesRendered: pages.drawn.length,
          pagesSeen: seen.size,
          pagesSkipped: candidates.filter((c) => !seen.has(c.page)).length,
          scansUnread: candidates.filter((c) => c.reason === 'scan' && !seen.has(c.page)).length,
          visionConfigured: vision !== null,
          budget: deps.budget,
        },
        note: notes.length > 0 ? notes.join(' ') : null,
      }
    },
  }
}

function pageList(pages: readonly number[]): string {
  return pages.length === 1 ? `page ${pages[0]}` : `pages ${pages.join(', ')}`
}
