/**
 * @module Search as the deps configure it: the lexical arm always, the semantic arm when an
 * embedding model is on, the reranker when one is. `l0-retrieval` and the agent's search tool both
 * search through here, so a question finds the same passages either way.
 */
import type { Deps } from '../deps'
import { retrieve, type PhaseTimer, type RetrievedChunk, type RetrieveRequest } from './retrieve'
import { semanticArm } from './vector-search'

export type WorkspaceSearchDeps = Pick<Deps, 'd1' | 'models' | 'vectors'>

export function searchWorkspace(deps: WorkspaceSearchDeps, request: RetrieveRequest, time?: PhaseTimer): Promise<RetrievedChunk[]> {
  // Without an embedding model there is no semantic arm, and the search is lexical.
  const semantic = semanticArm(deps)
  return retrieve(deps, request, { arms: semantic ? [semantic] : [], ...(time ? { time } : {}) })
}
