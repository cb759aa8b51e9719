/**
 * @module Search as the deps configure it: the lexical arm always, the semantic arm when an
 * embedding model is on, the reranker when one is. `l0-retrieval` and the agent's search tool both
 * search through here, so a question finds the same passages either way.
 */
import type { Deps } from '../deps'
import { rerankWith } from './rerank'
import { retrieve, type PhaseTimer, type RetrievedChunk, type RetrieveRequest } from './retrieve'
import { semanticArm } from './vector-search'

export type WorkspaceSearchDeps = Pick<Deps, 'd1' | 'models' | 'vectors'>

export function searchWorkspace(deps: WorkspaceSearchDeps, request: RetrieveRequest, time?: PhaseTimer): Promise<RetrievedChunk[]> {
  // Without an embedding model there is no semantic arm, and the search is lexical.
  const semantic = semanticArm(deps)
  // A reranker that fails leaves the fused order (rerank.ts); the failure is logged, not answered.
  const rerank = rerankWith(deps.models.rerank, { onError: (err) => console.warn('rerank failed; keeping the fused order', err) })
  return retrieve(deps, request, { arms: semantic ? [semantic] : [], ...(rerank ? { rerank } : {}), ...(time ? { time } : {}) })
}
