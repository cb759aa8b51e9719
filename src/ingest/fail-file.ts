/**
 * @module Ending a file in `error`: its status first (from then on no search shows it), then its
 * chunks leave the index and its part records D1, and the vectors of the chunks earlier parts had
 * already embedded go (their ids are what the index removed).
 */
import type { Ports } from '../ports'
import { markFailed } from '../files/lifecycle'
import { deleteChunkVectors } from '../search/vector-store'
import { partRecordsRemoval } from './chunk-store'

export async function failFile(deps: Pick<Ports, 'd1' | 'index' | 'vectors'>, fileId: string, reason: string): Promise<void> {
  const file = await deps.d1.prepare('SELECT id, org_id AS orgId, workspace_id AS workspaceId FROM files WHERE id = ?1').bind(fileId).first<{ id: string; orgId: string; workspaceId: string }>()
  await markFailed(deps.d1, fileId, reason, partRecordsRemoval(deps.d1, fileId))
  if (!file) return
  const refs = await deps.index.removeFiles([file])
  if (refs.length > 0) await deleteChunkVectors(deps.vectors, refs)
}
