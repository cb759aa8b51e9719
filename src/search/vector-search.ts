/**
 * @module The semantic search arm: embeds the question with the configured embedder, pushes what it
 * can of the filter down to the vector store (`compileToVectorize`), over-fetches when a residual is
 * left, and names chunks best first. Loading those chunks through the search scope (`loadHits` in
 * chunk-hits.ts) applies the whole filter, tenancy and file status, and drops chunks deleted since.
 */
import { compileToVectorize, type FilterNode, type VectorizeFilter } from '../filter'
import type { Embedder } from '../models/ports'
import { vectorNamespace, type VectorStore } from './vector-store'

export type SemanticSearchDeps = { models: { embedding: Embedder | null }; vectors: VectorStore }

export type SemanticSearchRequest = {
  orgId: string
  workspaceId: string
  query: string
  /** Parsed with `chunkAttributes` (so `page` and `modality` may be tested). */
  filter?: FilterNode | null | undefined
  /** Chunks wanted after the residual is applied; more are fetched when there is one. */
  topK: number
  signal?: AbortSignal
}

export type SemanticSearchResult = {
  /** Best first; may name chunks outside the residual, or deleted moments ago. */
  hits: Array<{ chunkId: string; score: number }>
  /** What the store could not apply; null when the store applied the whole filter. */
  residual: FilterNode | null
  /** What was pushed down to the store. */
  pushed: VectorizeFilter | undefined
  /** False when no embedding model is configured: there is no semantic arm, and `hits` is empty. */
  enabled: boolean
}

/** With a residual, fetch this many times `topK` (up to the store's cap) so enough survive it. */
export const OVERFETCH = 4

/**
 * @example
 * const { hits, residual } = await semanticSearch(deps, { orgId, workspaceId: 'default', query: 'penguin colonies', topK: 20 })
 */
export async function semanticSearch(deps: SemanticSearchDeps, request: SemanticSearchRequest): Promise<SemanticSearchResult> {
  const plan = request.filter ? compileToVectorize(request.filter) : { filter: undefined, residual: null }
  const embedder = deps.models.embedding
  if (!embedder || request.query.trim() === '') return { hits: [], residual: request.filter ?? null, pushed: undefined, enabled: embedder !== null }
  const wanted = Math.max(1, Math.floor(request.topK))
  const topK = Math.min(deps.vectors.maxTopK, plan.residual ? wanted * OVERFETCH : wanted)
  const [vector, namespace] = await Promise.all([
    embedder.embedQuery(request.query, request.signal ? { signal: request.signal } : {}),
    vectorNamespace(request.orgId, request.workspaceId),
  ])
  const matches = await deps.vectors.query(namespace, vector, { topK, filter: plan.filter })
  return { hits: matches.map((m) => ({ chunkId: m.id, score: m.score })), residual: plan.residual, pushed: plan.filter, enabled: true }
}

/** What `retrieve()` asks an arm (search/retrieve.ts's `ArmRequest`). */
export type SemanticArmRequest = { orgId: string; workspaceId: string; query: string; filter?: FilterNode | null; limit: number }

/**
 * The semantic arm in the shape `retrieve()` fuses (`SearchArm`), or null when no embedding model is
 * configured, so search stays lexical. With `timeoutMs`, the question's embedding (retries included)
 * is given up after that long, so a model that hangs costs a search that much and no more.
 * @example
 * const arm = semanticArm(deps, { timeoutMs: 5_000 })
 * await retrieve(deps, request, { arms: arm ? [arm] : [] })
 */
export function semanticArm(
  deps: SemanticSearchDeps,
  options: { timeoutMs?: number } = {},
): { phase: 'vector'; search(request: SemanticArmRequest): Promise<Array<{ chunkId: string; score: number }>> } | null {
  if (!deps.models.embedding) return null
  return {
    phase: 'vector',
    async search(request) {
      const signal = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined
      const { hits } = await semanticSearch(deps, { ...request, topK: request.limit, ...(signal ? { signal } : {}) })
      return hits
    },
  }
}
