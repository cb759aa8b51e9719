/**
 * @module The reranker port as retrieval's `Rerank` step: what each candidate looks like to the model
 * (where it sits, then its text, cut to what a cross-encoder reads), and what happens when the model fails.
 *
 * A failing reranker does not fail the search. Reranking only reorders candidates that fusion has already
 * ranked well; a person who asked a question would rather get that order than an error because a second
 * model was down or slow (after its own retries and deadline). So an error gives back the fused scores,
 * the order stays the fused one, and `onError` hears of it, to log or count.
 */
import type { Reranker } from '../models/ports'
import type { ChunkHit } from './chunk-hits'
import type { Rerank } from './retrieve'

/**
 * Characters of one candidate sent to the reranker. Cross-encoders read a few hundred tokens of query
 * and passage together (Workers AI's bge-reranker-base: 512) and cut or refuse the rest; about 2000
 * characters of English is 400–500 tokens, so a long chunk is cut here, where the cut is known, rather
 * than by the model or its server.
 */
export const RERANK_DOCUMENT_CHARS = 2000

/** Characters of the context line (file name, heading path) before the text. */
const CONTEXT_CHARS = 200

export type RerankOptions = {
  /** Hears a reranker failure that was replaced by the fused order. */
  onError?: (error: unknown) => void
}

/**
 * Retrieval's `Rerank` over a reranker, or undefined when there is none (so `retrieve` skips the step).
 * Scores come back in candidate order. A candidate the model left unscored (past its `topN`, say) scores
 * one below the lowest it did score, so it ranks after all of them and in fused order among its kind; a
 * finite number, since a score ends up in the API's JSON, where -Infinity would turn into null. When the
 * model scored none of them, the fused scores stand.
 * @example
 * const rerank = rerankWith(deps.models.rerank, { onError: (e) => console.warn('rerank failed', e) })
 * const top = await retrieve({ d1 }, request, { rerank })
 */
export function rerankWith(reranker: Reranker | null | undefined, options: RerankOptions = {}): Rerank | undefined {
  if (!reranker) return undefined
  return async (query, candidates) => {
    if (candidates.length === 0) return []
    try {
      const ranking = await reranker.rerank(query, candidates.map(rerankDocument))
      const scores: Array<number | null> = candidates.map(() => null)
      for (const { index, score } of ranking) {
        // An index outside the list or a score that is not a number would say nothing true; it is dropped.
        if (Number.isInteger(index) && index >= 0 && index < scores.length && Number.isFinite(score)) scores[index] = score
      }
      const scored = scores.filter((s): s is number => s !== null)
      if (scored.length === 0) return candidates.map((c) => c.score)
      const unscored = Math.min(...scored) - 1
      return scores.map((s) => s ?? unscored)
    } catch (error) {
      options.onError?.(error)
      return candidates.map((c) => c.score)
    }
  }
}

/**
 * A candidate as the reranker reads it: one short line saying where it comes from (file name and heading
 * path, which often carry the topic the text itself only implies), then the text, cut at a word where
 * possible, the whole within `RERANK_DOCUMENT_CHARS`.
 * @example rerankDocument(hit) // 'guide.pdf › Setup › Tokens\n\nCreate a token with…'
 */
export function rerankDocument(hit: Pick<ChunkHit, 'filename' | 'heading' | 'text'>): string {
  const context = clip([hit.filename, hit.heading].filter((part) => part && part.trim()).join(' › '), CONTEXT_CHARS)
  const text = hit.text.trim()
  const document = context ? `${context}\n\n${text}` : text
  return clip(document, RERANK_DOCUMENT_CHARS)
}

/** `text` within `max` characters, cut after the last whitespace of its last fifth if there is one. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text
  // Never half of a surrogate pair: a lone half is not text, and some servers refuse it.
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max
  const cut = text.slice(0, end)
  const space = cut.search(/\s\S*$/)
  return (space >= end * 0.8 ? cut.slice(0, space) : cut).trimEnd()
}
