/**
 * @module A vision model reading the pages granted by the budget (a PDF page's picture, a slide's
 * picture): each answer becomes a segment of its page (modality `image`), placed after the page's
 * extracted text. A page the model refuses (an error retrying cannot fix) is skipped with a
 * sentence; a passing failure is thrown, for the queue to retry the part.
 */
import type { VisionModel } from '../../models/ports'
import { ModelCallError } from '../../models/retry'
import { plainSentence } from '../errors'
import type { Segment } from '../segment'
import type { Candidate } from './page-selection'
import { MAX_OUTPUT_TOKENS, pagePrompt } from './prompts'

/** Vision calls in flight at once (a Worker has 6 connections; R2 and D1 need some). */
const CONCURRENCY = 3

export type PageReading = {
  segments: Segment[]
  /** Pages the model answered for (an empty answer included). */
  seen: number[]
  /** Pages it could not read, each with why. */
  refused: Array<{ page: number; reason: string }>
}

/** A picture for the model, as it will be sent. */
export type PagePicture = { bytes: Uint8Array; mediaType: 'image/png' | 'image/jpeg' }

/**
 * @param image the picture of a page, or null when it cannot be made
 * @param pageTextEnd where each page's extracted text ends (segment offsets count from the page's start)
 * @param prompt what the model is asked about a page
 */
export async function readPages(
  vision: VisionModel,
  pages: readonly Candidate[],
  image: (page: number) => Promise<PagePicture | null>,
  pageTextEnd: ReadonlyMap<number, number>,
  prompt: (candidate: Candidate) => string = (c) => pagePrompt(c.page, c.reason),
): Promise<PageReading> {
  const answers = new Map<number, string>()
  const refused: PageReading['refused'] = []
  const seen: number[] = []
  let next = 0
  const worker = async () => {
    while (next < pages.length) {
      const candidate = pages[next++]!
      const { page } = candidate
      const picture = await image(page)
      if (!picture) {
        refused.push({ page, reason: 'its page image could not be made' })
        continue
      }
      try {
        answers.set(page, (await vision.describe({ image: picture.bytes, mediaType: picture.mediaType, prompt: prompt(candidate), maxOutputTokens: MAX_OUTPUT_TOKENS })).trim())
        seen.push(page)
      } catch (err) {
        if (!(err instanceof ModelCallError) || err.transient) throw err
        refused.push({ page, reason: plainSentence(err.message) })
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, pages.length) }, worker))

  const segments: Segment[] = []
  for (const page of [...answers.keys()].sort((a, b) => a - b)) {
    const text = answers.get(page)!
    if (!text) continue
    // As if the page's extracted text were followed by what the model read, one blank line apart.
    const end = pageTextEnd.get(page)
    const start = end === undefined ? 0 : end + 2
    segments.push({ text, provenance: { page, modality: 'image' }, charStart: start, charEnd: start + text.length })
  }
  return { segments, seen: seen.sort((a, b) => a - b), refused: refused.sort((a, b) => a.page - b.page) }
}

/** Where each page's extracted text ends, in the page's own offsets. */
export function pageTextEnds(segments: readonly Segment[]): Map<number, number> {
  const ends = new Map<number, number>()
  for (const s of segments) if (s.provenance.page !== undefined) ends.set(s.provenance.page, Math.max(ends.get(s.provenance.page) ?? 0, s.charEnd))
  return ends
}

/** Each page's text, then what the vision model read on it. */
export function inPageOrder(text: readonly Segment[], read: readonly Segment[]): Segment[] {
  const all = [...text, ...read]
  return all.map((s, i) => ({ s, i })).sort((a, b) => (a.s.provenance.page ?? 0) - (b.s.provenance.page ?? 0) || a.i - b.i).map(({ s }) => s)
}
