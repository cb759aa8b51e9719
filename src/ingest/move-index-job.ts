/**
 * @module The queue job that copies a workspace's index to the layout its claimed move names. A move
 * no longer claimed (finished by an earlier delivery, or the workspace deleted) is done; one claimed
 * for another shard count is that move's job, not this one's.
 */
import type { Ports } from '../ports'
import { moveWorkspaceIndex } from '../search/shards/move-workspace'
import { readPlacement } from '../search/shards/placement'
import type { MoveIndexJob } from './jobs'

export async function moveIndexStep(deps: Pick<Ports, 'd1' | 'shards'>, job: MoveIndexJob): Promise<void> {
  const placement = await readPlacement(deps.d1, job.orgId, job.workspaceId)
  if (placement.next?.shards !== job.shards) return
  if (!deps.shards) throw new Error('the INDEX_SHARD binding is missing: this Worker cannot move an index')
  const report = await moveWorkspaceIndex({ d1: deps.d1, shards: deps.shards }, job.orgId, job.workspaceId, job.shards)
  console.log(`moved the index of ${job.orgId}/${job.workspaceId}: ${report.chunks} chunks and ${report.vectors} vectors of ${report.files} files to ${report.to.shards} shards (${report.recopied} copied again)`)
}
