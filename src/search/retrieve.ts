/**
 * @module Hybrid retrieval, the heart of `l0-retrieval` and the agent's search tool: the lexical arm
 * and any further arms (semantic, visual) run in parallel, are fused by reciprocal rank, optionally
 * reranked, spread over pages (page-diversity.ts), and cut to top_k.
 *
 * A further arm only has to name chunks: `{ chunkId, score }` best first. Its hits are then loaded
 * through the same scope as the lexical arm's (org, workspace, processed files, filter), so an arm
 * that can push only part of a filter down (Vectorize has no OR) over-fetches and is still exact.
 */
import type { FilterNode } from '../filter'
import type { ChunkHit, SearchScope } from './chunk-hits'
import { chunkIndexOf, type IndexDeps } from './d1-chunk-index'
import { onePerPageFirst } from './page-diversity'
import { reciprocalRankFusion } from './rank-fusion'

export const DEFAULT_TOP_K = 5
export const MAX_TOP_K = 100

/** Candidates each arm contributes: to fuse, to rerank, and to spread over pages. */
export const FUSION_DEPTH = 50

export type RetrieveRequest = {
  orgId: string
  workspaceId: string
  query: string
  filter?: FilterNode | null
  topK: number
}

/** What an arm is asked: the question, where to look, and how many candidates to name. */
export type ArmRequest = SearchScope & { query: string; limit: number }

/** A chunk an arm found, with the arm's own score (higher is better). */
export type ArmHit = { chunkId: string; score: number }

/**
 * Another ranked list beside the lexical one, e.g. the vector store queried with the question's
 * embedding. `phase` names its Server-Timing entry (`vector` for the semantic arm).
 */
export type SearchArm = {
  phase: string
  search(request: ArmRequest): Promise<ArmHit[]>
}

/** Scores candidates against the question (higher is better), one number per candidate, in order. */
export type Rerank = (query: string, candidates: readonly ChunkHit[]) => Promise<number[]>

/** Times a phase of the search; the API reports them in Server-Timing. */
export type PhaseTimer = <T>(phase: string, run: () => Promise<T>) => Promise<T>

export type RetrieveOptions = {
  /**
   * Arms beside the lexical one; their lists are fused with it. An arm that fails is left out of this
   * search (its model down, say) and `onArmError` hears of it: the lexical arm still answers.
   */
  arms?: readonly SearchArm[]
  onArmError?: (phase: string, error: unknown) => void
  /** Hears how many rows the lexical arm read, for Server-Timing. */
  onRowsRead?: (rows: number) => void
  rerank?: Rerank
  time?: PhaseTimer
}

/** One element of the answer: the chunk and its final score (fused, or reranked), higher is better. */
export type RetrievedChunk = ChunkHit & {
  /** Its rank in each list fused, by phase name (`lexical`, `vector`…); absent where a list lacked it. */
  ranks: Record<string, number>
}

const untimed: PhaseTimer = (_phase, run) => run()

/**
 * The best `topK` chunks for the question within the workspace, best first.
 * @example
 * const top = await retrieve(deps, { orgId, workspaceId: 'default', query: 'What is logic?', topK: 5 })
 * // with a semantic arm, built where the deps are:
 * await retrieve(deps, request, { arms: [{ phase: 'vector', search: (r) => vectors.query(r) }] })
 */
export async function retrieve(deps: IndexDeps, request: RetrieveRequest, options: RetrieveOptions = {}): Promise<RetrievedChunk[]> {
  const topK = Math.max(1, Math.min(Math.floor(request.topK), MAX_TOP_K))
  const time = options.time ?? untimed
  const arms = options.arms ?? []
  const scope: SearchScope = { orgId: request.orgId, workspaceId: request.workspaceId, filter: request.filter ?? null }
  // Candidates beyond top_k matter even to a single list: they fill the places of a page's repeats.
  const depth = Math.max(topK, FUSION_DEPTH)
  const armRequest: ArmRequest = { ...scope, query: request.query, limit: depth }

  const index = chunkIndexOf(deps)
  const [lexical, ...further] = await Promise.all([
    time('lexical', async () => {
      const answer = await index.lexical(armRequest)
      options.onRowsRead?.(answer.rowsRead)
      return answer.hits
    }),
    ...arms.map((arm) =>
      time(arm.phase, async () => index.load(scope, await arm.search(armRequest))).catch((error: unknown) => {
        options.onArmError?.(arm.phase, error)
        return null
      }),
    ),
  ])
  // A person asked a question; keyword hits answer it better than an error because a second arm's model is down.
  const answered = arms.flatMap((arm, i) => (further[i] ? [{ phase: arm.phase, hits: further[i] }] : []))
  const lists = [lexical!, ...answered.map((a) => a.hits)]
  const phases = ['lexical', ...answered.map((a) => a.phase)]

  let ranked = await time('fuse', async () =>
    reciprocalRankFusion(lists, (hit) => hit.chunkId).map(
      (f): RetrievedChunk => ({ ...f.item, score: f.score, ranks: ranksByPhase(phases, f.ranks) }),
    ),
  )
  if (options.rerank && ranked.length > 0) {
    const rerank = options.rerank
    const candidates = ranked.slice(0, depth)
    ranked = await time('rerank', async () => {
      const scores = await rerank(request.query, candidates)
      if (scores.length !== candidates.length) throw new Error(`the reranker scored ${scores.length} of ${candidates.length} candidates`)
      return candidates
        .map((c, i) => ({ ...c, score: scores[i]! }))
        .sort((a, b) => b.score - a.score)
    })
  }
  // Ten results that are five chunks of one page would hide the other pages that compete.
  return onePerPageFirst(ranked).slice(0, topK)
}

function ranksByPhase(phases: readonly string[], ranks: ReadonlyArray<number | null>): Record<string, number> {
  const out: Record<string, number> = {}
  phases.forEach((phase, i) => {
    const rank = ranks[i]
    if (rank !== null && rank !== undefined) out[phase] = rank
  })
  return out
}
