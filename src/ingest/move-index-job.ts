/**
 * @module The queue job that moves a workspace's index to the layout its claimed move names, one
 * step per message: each step copies for at most `MOVE_STEP_MS`, then queues the next with where it
 * stands, so no consumer invocation runs past the platform's limits however big the workspace. A move
 * no longer claimed (finished by an earlier delivery, or the workspace deleted) is done; one claimed
 * for another shard count, or started over since, is that move's job, not this one's.
 */
import type { Ports } from '../ports'
import { continueMove, startMove } from '../search/shards/move-workspace'
import { readPlacement } from '../search/shards/placement'
import type { MoveIndexJob } from './jobs'

/**
 * How long one message copies before handing on: well inside a queue consumer's 15 minutes of wall
 * time, and short enough that locally (one message at a time) other files' messages get their turn.
 */
export const MOVE_STEP_MS = 30_000

export async function moveIndexStep(deps: Pick<Ports, 'd1' | 'shards' | 'ingestQueue'>, job: MoveIndexJob, stepMs = MOVE_STEP_MS): Promise<void> {
  const placement = await readPlacement(deps.d1, job.orgId, job.workspaceId)
  // Emptying the old layout comes after the switch, when no move is claimed any more.
  const emptying = job.progress?.phase === 'empty'
  if (!emptying && (placement.next?.shards !== job.shards || (job.progress && job.progress.from.generation !== placement.generation))) return
  if (!deps.shards) throw new Error('the INDEX_SHARD binding is missing: this Worker cannot move an index')
  const moveDeps = { d1: deps.d1, shards: deps.shards }
  const progress = job.progress ?? (await startMove(moveDeps, job.orgId, job.workspaceId, job.shards))
  const started = Date.now()
  const step = await continueMove(moveDeps, job.orgId, job.workspaceId, progress, () => Date.now() - started >= stepMs)
  if (!step.done) {
    await deps.ingestQueue.send({ ...job, progress: step.progress } satisfies MoveIndexJob)
    return
  }
  const report = step.report
  console.log(`moved the index of ${job.orgId}/${job.workspaceId}: ${report.chunks} chunks and ${report.vectors} vectors of ${report.files} files to ${report.to.shards} shards (${report.recopied} copied again)`)
}
