/**
 * @module Search as the deps configure it: the lexical arm always, the semantic arm when an
 * embedding model is on and answering, the reranker when one is. `l0-retrieval` and the agent's search
 * tool both search through here, so a question finds the same passages either way.
 *
 * A model that is down never fails a search: its arm or step is left out, the failure is logged, and
 * for `STATUS_TTL_MS` (models/availability.ts) the next searches skip it rather than wait out its
 * retries again; `/health` reports the same state.
 */
import type { IndexDeps } from './d1-chunk-index'
import { withBoxes } from './evidence-boxes'
import { isTimeout, noteAnswer, noteFailure, recentlyFailed } from '../models/availability'
import type { Models } from '../models/ports'
import { ModelCallError } from '../models/retry'
import { rerankWith } from './rerank'
import { retrieve, type PhaseTimer, type RetrievedChunk, type RetrieveRequest, type SearchArm } from './retrieve'
import { semanticArms } from './vector-search'
import type { VectorStore } from './vector-store'

/** What a search needs: the index (chunks, FTS5; D1's own tables when none is given), the models (embedding, rerank) and the vector store. */
export type WorkspaceSearchDeps = IndexDeps & { models: Models; vectors: VectorStore }

/**
 * How long a search waits for its question's embedding, retries included. One short text takes a CPU
 * model tens of milliseconds; a model still silent after this long is down or swamped, and the
 * keyword hits are worth more to the person asking than a longer wait.
 */
export const QUERY_EMBEDDING_TIMEOUT_MS = 5_000

/** What a caller may ask of a search besides its answer. */
export type SearchOptions = {
  /** Times each phase (Server-Timing). */
  time?: PhaseTimer
  /**
   * The bucket page layouts are kept in: each chunk on a PDF page with a layout then carries the
   * `boxes` around its text, its page's layout read, all pages in parallel, in the `boxes` phase.
   */
  layouts?: R2Bucket
  /** Hears how many rows the lexical arm read. */
  onRowsRead?: (rows: number) => void
}

/** The best chunks for the question. */
export async function searchWorkspace(deps: WorkspaceSearchDeps, request: RetrieveRequest, options: SearchOptions = {}): Promise<RetrievedChunk[]> {
  const { time, layouts } = options
  const found = await rankedChunks(deps, request, options)
  if (!layouts) return found
  return time ? time('boxes', () => withBoxes(layouts, found)) : withBoxes(layouts, found)
}

function rankedChunks(deps: WorkspaceSearchDeps, request: RetrieveRequest, { time, onRowsRead }: SearchOptions): Promise<RetrievedChunk[]> {
  const { embedding, rerank: reranker } = deps.models
  // Without an embedding model there is no semantic arm, and the search is lexical.
  const semantic = embedding && !recentlyFailed('embedding', embedding.modelId) ? semanticArms(deps, { timeoutMs: QUERY_EMBEDDING_TIMEOUT_MS }) : []
  const arms: SearchArm[] = semantic.map((arm) => ({
    phase: arm.phase,
    async search(armRequest) {
      const hits = await arm.search(armRequest)
      if (embedding) noteAnswer('embedding', embedding.modelId)
      return hits
    },
  }))
  // A reranker that fails leaves the fused order (rerank.ts); the failure is logged, not answered.
  const rerank = rerankWith(reranker && !recentlyFailed('rerank', reranker.modelId) ? reranker : null, {
    onError: (err) => {
      if (reranker && err instanceof ModelCallError) noteFailure('rerank', reranker.modelId, err)
      console.warn('rerank failed; keeping the fused order', err)
    },
  })
  // The chunk and page arms share one query: when it fails, both report the same error, said once.
  const reported = new Set<unknown>()
  return retrieve(deps, request, {
    arms,
    onArmError: (phase, err) => {
      if (reported.has(err)) return
      reported.add(err)
      // Only the model's failure (or its silence) says the model is down; a vector store's error is this search's alone.
      if (embedding && (err instanceof ModelCallError || isTimeout(err))) noteFailure('embedding', embedding.modelId, err)
      console.warn(`the ${phase} arm failed; this search is lexical only`, err)
    },
    ...(rerank ? { rerank } : {}),
    ...(time ? { time } : {}),
    ...(onRowsRead ? { onRowsRead } : {}),
  })
}
