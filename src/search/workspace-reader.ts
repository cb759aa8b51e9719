/**
 * @module The search port the agent reads a workspace through: ranked search (workspace-search.ts)
 * and plain reads of pages, neighbourhoods and files (page-reader.ts), bound once to a run's deps.
 * The agent never reaches the chunk tables another way, so every read keeps the same scope rules.
 */
import type { ChunkHit, SearchScope } from './chunk-hits'
import { listScopeFiles, pageSource, readAround, readPage, type ListedFile, type PageSource } from './page-reader'
import type { RetrievedChunk, RetrieveRequest } from './retrieve'
import { searchWorkspace, type WorkspaceSearchDeps } from './workspace-search'

export type WorkspaceReader = {
  /** The best chunks for a query, as `l0-retrieval` finds them. */
  search(request: RetrieveRequest): Promise<RetrievedChunk[]>
  /** Every chunk of a page of a file, in reading order; `null` for the chunks that have no page. */
  readPage(scope: SearchScope, fileId: string, page: number | null): Promise<ChunkHit[]>
  /** A passage and up to `radius` chunks either side of it, in reading order. */
  readAround(scope: SearchScope, chunkId: string, radius?: number): Promise<ChunkHit[]>
  /** The files in scope, newest first, and how many there are. */
  listFiles(scope: SearchScope, limit?: number): Promise<{ files: ListedFile[]; total: number }>
  /** What a file's page pictures are drawn from, or null outside the scope's workspace. */
  pageSource(scope: SearchScope, fileId: string): Promise<PageSource | null>
}

/**
 * @example
 * const reader = workspaceReader(deps)
 * const [first] = await reader.readPage({ orgId, workspaceId: 'default' }, fileId, 12)
 */
export function workspaceReader(deps: WorkspaceSearchDeps): WorkspaceReader {
  return {
    search: (request) => searchWorkspace(deps, request),
    readPage: (scope, fileId, page) => readPage(deps.d1, scope, fileId, page),
    readAround: (scope, chunkId, radius) => readAround(deps.d1, scope, chunkId, radius),
    listFiles: (scope, limit) => listScopeFiles(deps.d1, scope, limit),
    pageSource: (scope, fileId) => pageSource(deps.d1, scope, fileId),
  }
}
