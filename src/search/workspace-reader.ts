/**
 * @module The search port the agent reads a workspace through: ranked search (workspace-search.ts)
 * and plain reads of pages, neighbourhoods and files (page-reader.ts), bound once to a run's deps.
 * The agent never reaches the chunk tables another way, so every read keeps the same scope rules.
 */
import { chunkIndexOf } from './d1-chunk-index'
import { d1PageSource, type PageReader } from './page-reader'
import type { RetrievedChunk, RetrieveRequest } from './retrieve'
import { searchWorkspace, type WorkspaceSearchDeps } from './workspace-search'

export type WorkspaceReader = PageReader & {
  /** The best chunks for a query, as `l0-retrieval` finds them. */
  search(request: RetrieveRequest): Promise<RetrievedChunk[]>
}

/**
 * @example
 * const reader = workspaceReader(deps)
 * const [first] = await reader.readPage({ orgId, workspaceId: 'default' }, fileId, 12)
 */
export function workspaceReader(deps: WorkspaceSearchDeps): WorkspaceReader {
  const index = chunkIndexOf(deps)
  return {
    readPage: index.readPage,
    readAround: index.readAround,
    listFiles: index.listFiles,
    pageSource: d1PageSource(deps.d1),
    search: (request) => searchWorkspace(deps, request),
  }
}
