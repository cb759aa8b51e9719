/**
 * @module The semantic search arm: embeds the question with the configured embedder, pushes what it
 * can of the filter down to the vector store (`compileToVectorize`), over-fetches when a residual is
 * left, and names chunks best first. Loading those chunks through the search scope (`loadHits` in
 * chunk-hits.ts) applies the whole filter, tenancy and file status, and drops chunks deleted since.
 */
import { compileToVectorize, type FilterNode, type VectorizeFilter } from '../filter'
import type { Embedder } from '../models/ports'
import { pageVectorChunk, type VectorStore } from './vector-store'

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
  /** Pages whose own vectors came nearest, best first, each named by its first chunk (same caveats). */
  pageHits: Array<{ chunkId: string; score: number }>
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
  if (!embedder || request.query.trim() === '') return { hits: [], pageHits: [], residual: request.filter ?? null, pushed: undefined, enabled: embedder !== null }
  const wanted = Math.max(1, Math.floor(request.topK))
  const each = plan.residual ? wanted * OVERFETCH : wanted
  // Twice as deep: chunks' and pages' vectors share the namespace, and `each` of both are wanted.
  const topK = Math.min(deps.vectors.maxTopK, 2 * each)
  const vector = await embedder.embedQuery(request.query, request.signal ? { signal: request.signal } : {})
  const matches = await deps.vectors.query({ orgId: request.orgId, workspaceId: request.workspaceId }, vector, { topK, filter: plan.filter })
  const hits: SemanticSearchResult['hits'] = []
  const pageHits: SemanticSearchResult['pageHits'] = []
  for (const m of matches) {
    const first = pageVectorChunk(m.id)
    if (first === null) hits.push({ chunkId: m.id, score: m.score })
    else pageHits.push({ chunkId: first, score: m.score })
  }
  return { hits: hits.slice(0, each), pageHits: pageHits.slice(0, each), residual: plan.residual, pushed: plan.filter, enabled: true }
}

/** What `retrieve()` asks an arm (search/retrieve.ts's `ArmRequest`). */
export type SemanticArmRequest = { orgId: string; workspaceId: string; query: string; filter?: FilterNode | null; limit: number }

type ArmHits = Array<{ chunkId: string; score: number }>
export type SemanticArm = { phase: 'vector' | 'page'; search(request: SemanticArmRequest): Promise<ArmHits> }

/**
 * The semantic arms in the shape `retrieve()` fuses (`SearchArm`), or none when no embedding model is
 * configured, so search stays lexical: `vector`, the chunks nearest the question, and `page`, the
 * pages whose own vectors (embed-step.ts's `pageTexts`) are nearest, each named by its first chunk.
 * Both come from one query (`semanticSearch` splits it), so the question is embedded once. With
 * `timeoutMs`, the question's embedding (retries included) is given up after that long, so a model
 * that hangs costs a search that much and no more.
 * @example
 * await retrieve(deps, request, { arms: semanticArms(deps, { timeoutMs: 5_000 }) })
 */
export function semanticArms(deps: SemanticSearchDeps, options: { timeoutMs?: number } = {}): SemanticArm[] {
  if (!deps.models.embedding) return []
  // retrieve() hands every arm the same request object: the first arm to ask runs the query.
  const queries = new WeakMap<SemanticArmRequest, Promise<{ chunks: ArmHits; pages: ArmHits }>>()
  const split = (request: SemanticArmRequest) => {
    let query = queries.get(request)
    if (!query) {
      const signal = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined
      // Not cut to `limit`: with a residual filter the search over-fetches, and loadHits drops the rest.
      query = semanticSearch(deps, { ...request, topK: request.limit, ...(signal ? { signal } : {}) }).then(({ hits, pageHits }) => ({ chunks: hits, pages: pageHits }))
      queries.set(request, query)
    }
    return query
  }
  return [
    { phase: 'vector', search: async (request) => (await split(request)).chunks },
    { phase: 'page', search: async (request) => (await split(request)).pages },
  ]
}
