/**
 * @module A vision model reading the PDF pages granted by the budget: each answer becomes a segment
 * of its page (modality `image`), placed after the page's extracted text. A page the model refuses
 * (an error retrying cannot fix) is skipped with a sentence; a passing failure is thrown, for the
 * queue to retry the part.
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

/**
 * @param pageTextEnd where each page's extracted text ends (segment offsets count from the page's start)
 */
export async function readPages(
  vision: VisionModel,
  pages: readonly Candidate[],
  image: (page: number) => Promise<Uint8Array | null>,
  pageTextEnd: ReadonlyMap<number, number>,
): Promise<PageReading> {
  const answers = new Map<number, string>()
  const refused: PageReading['refused'] = []
  const seen: number[] = []
  let next = 0
  const worker = async () => {
    while (next < pages.length) {
      const { page, reason } = pages[next++]!
      const png = await image(page)
      if (!png) {
        refused.push({ page, reason: 'its page image could not be made' })
        continue
      }
      try {
        answers.set(page, (await vision.describe({ image: png, mediaType: 'image/png', prompt: pagePrompt(page, reason), maxOutputTokens: MAX_OUTPUT_TOKENS })).trim())
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
