/**
 * @module Removing a workspace and everything in it: its sources first (so a sync in flight finds no
 * source and stores nothing more), then its files (bytes, chunks, index rows, vectors), then its stored
 * completions, then its memberships and the workspace itself in one batch.
 */
import { and, eq, inArray } from 'drizzle-orm'
import type { AuditActor } from '../audit/log'
import type { Db } from '../db/client'
import { completions, sourceObjects, sources, workspaceMembers, workspaces } from '../db/schema'
import { deleteFiles, workspaceFiles } from '../files/file-deletion'
import type { ChunkIndex } from '../search/chunk-index'
import type { VectorStore } from '../search/vector-store'

/** What deleting a workspace touches: its rows, the files' bytes and their vectors. */
export type WorkspaceDeletionDeps = { db: Db; index: ChunkIndex; blobs: R2Bucket; vectors: VectorStore }

export async function deleteWorkspaceContents(deps: WorkspaceDeletionDeps, orgId: string, workspaceId: string, actor: AuditActor): Promise<void> {
  const inWorkspace = and(eq(sources.orgId, orgId), eq(sources.workspaceId, workspaceId))
  const ids = (await deps.db.select({ id: sources.id }).from(sources).where(inWorkspace).all()).map((s) => s.id)
  if (ids.length) await deps.db.batch([deps.db.delete(sourceObjects).where(inArray(sourceObjects.sourceId, ids)), deps.db.delete(sources).where(inWorkspace)])
  await deleteFiles(deps, await workspaceFiles(deps, orgId, workspaceId), { actor, reason: 'workspace_deleted' })
  await deps.db.batch([
    deps.db.delete(completions).where(and(eq(completions.orgId, orgId), eq(completions.workspaceId, workspaceId))),
    deps.db.delete(workspaceMembers).where(and(eq(workspaceMembers.orgId, orgId), eq(workspaceMembers.workspaceId, workspaceId))),
    deps.db.delete(workspaces).where(and(eq(workspaces.orgId, orgId), eq(workspaces.id, workspaceId))),
  ])
}
