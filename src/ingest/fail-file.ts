/**
 * @module Ending a file in `error`: its chunks and part records go, and so do the vectors of the
 * chunks earlier parts had already embedded (their ids are read before the rows are deleted).
 */
import type { Ports } from '../ports'
import { markFailed } from '../files/lifecycle'
import { deleteChunkVectors } from '../search/vector-store'
import { removalOf } from './chunk-store'

export async function failFile(deps: Pick<Ports, 'd1' | 'vectors'>, fileId: string, reason: string): Promise<void> {
  const refs = await deps.d1
    .prepare('SELECT id, org_id AS orgId, workspace_id AS workspaceId FROM chunks WHERE file_id = ?1')
    .bind(fileId)
    .all<{ id: string; orgId: string; workspaceId: string }>()
  // One batch: the status and the removal of what its parts wrote, so no reader sees a failed file with chunks.
  await markFailed(deps.d1, fileId, reason, removalOf(deps.d1, fileId))
  if (refs.results.length > 0) await deleteChunkVectors(deps.vectors, refs.results)
}
