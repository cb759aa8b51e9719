/**
 * @module Where a workspace's index lives, as the operator sees and changes it: its placement (how
 * many shards, which generation, whether a move runs) and a request to move it to another shard count,
 * which claims the move at once and leaves the copying to the ingest queue (search/shards/move-workspace.ts),
 * where a long copy has the consumer's time and its retries. Only the deployment's admin may move an
 * index (it costs a copy of every chunk); a workspace's admins may see where it lives.
 */
import { appendAudit, actorOf } from '../audit/log'
import { MAX_INDEX_SHARDS } from '../config'
import type { Ports } from '../ports'
import { claimMove, emptyD1Progress, leftInD1, STILL_EMPTYING } from '../search/shards/move-workspace'
import { readPlacement, type Placement } from '../search/shards/placement'
import { TenancyError } from './errors'
import type { Principal } from './principal'
import { authorizeWorkspace } from './workspace-access'
import { reportedOrg } from './org-reports'
import type { MoveIndexJob } from '../ingest/jobs'

export type IndexPlacement = Placement & { orgId: string; workspaceId: string }

type PlacementDeps = Pick<Ports, 'db' | 'd1'>

/** The workspace's placement; the admin token names the org (`org`), a user must administer the workspace. */
export async function workspacePlacement(deps: PlacementDeps, principal: Principal, workspaceId: string, org: string | undefined): Promise<IndexPlacement> {
  const orgId = await reportedOrg(deps.db, principal, org)
  if (principal.kind === 'user') await authorizeWorkspace(deps.db, principal, workspaceId, 'admin')
  else await requireWorkspace(deps.d1, orgId, workspaceId)
  return { ...(await readPlacement(deps.d1, orgId, workspaceId)), orgId, workspaceId }
}

/**
 * Starts moving the workspace's index to `shards` shards (0: D1's own tables): claims the move, so
 * every write from now on reaches both layouts, and queues the copy. Asking again for a move that is
 * running queues it again (a move that stopped copies again from the start); asking for another shard count meanwhile is a conflict.
 */
export async function requestIndexMove(deps: PlacementDeps & Pick<Ports, 'ingestQueue' | 'index'>, principal: Principal, workspaceId: string, org: string | undefined, shards: number): Promise<IndexPlacement> {
  if (principal.kind !== 'admin') throw new TenancyError('forbidden', "Moving a workspace's index needs the deployment admin token (ADMIN_TOKEN).")
  if (!Number.isInteger(shards) || shards < 0 || shards > MAX_INDEX_SHARDS) throw new TenancyError('invalid', `shards must be a whole number from 0 to ${MAX_INDEX_SHARDS}.`, { param: 'shards' })
  const orgId = await reportedOrg(deps.db, principal, org)
  await requireWorkspace(deps.d1, orgId, workspaceId)
  const before = await readPlacement(deps.d1, orgId, workspaceId)
  if (before.next === null && before.shards === shards) return { ...before, orgId, workspaceId }
  if (shards === 0 && before.next === null && (await leftInD1(deps.d1, orgId, workspaceId))) {
    // The last move's emptying may have stopped (its messages exhausted their retries): queue it again.
    await deps.ingestQueue.send({ kind: 'move-index', orgId, workspaceId, shards: before.shards, progress: emptyD1Progress({ shards: before.shards, generation: before.generation }) } satisfies MoveIndexJob)
    throw new TenancyError('conflict', STILL_EMPTYING(workspaceId), { param: 'shards' })
  }
  const claimed = await claimMove(deps.d1, orgId, workspaceId, shards)
  if (!claimed) throw new TenancyError('conflict', `Workspace "${workspaceId}" is already moving to ${before.next?.shards} shards; wait for that move to finish, or ask for it again to run it again.`, { param: 'shards' })
  await deps.ingestQueue.send({ kind: 'move-index', orgId, workspaceId, shards } satisfies MoveIndexJob)
  await appendAudit(deps.db, orgId, [{ actor: actorOf(principal), action: 'workspace.index_moved', workspaceId, target: workspaceId, details: { from: before.shards, to: shards } }])
  return { ...(await readPlacement(deps.d1, orgId, workspaceId)), orgId, workspaceId }
}

async function requireWorkspace(d1: D1Database, orgId: string, workspaceId: string): Promise<void> {
  const found = await d1.prepare('SELECT 1 FROM workspaces WHERE org_id = ?1 AND id = ?2').bind(orgId, workspaceId).first()
  if (!found) throw new TenancyError('not_found', `No workspace "${workspaceId}".`, { param: 'workspace_id' })
}
