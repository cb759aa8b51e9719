/**
 * @module Removing a workspace and everything in it: its files (bytes, chunks, index rows, vectors)
 * first, then its stored completions, then its memberships and the workspace itself in one batch.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { completions, workspaceMembers, workspaces } from '../db/schema'
import { deleteFiles, workspaceFiles } from '../files/file-deletion'
import type { VectorStore } from '../search/vector-store'

/** What deleting a workspace touches: its rows, the files' bytes and their vectors. */
export type WorkspaceDeletionDeps = { db: Db; blobs: R2Bucket; vectors: VectorStore }

export async function deleteWorkspaceContents(deps: WorkspaceDeletionDeps, orgId: string, workspaceId: string): Promise<void> {
  await deleteFiles(deps, await workspaceFiles(deps, orgId, workspaceId))
  await deps.db.batch([
    deps.db.delete(completions).where(and(eq(completions.orgId, orgId), eq(completions.workspaceId, workspaceId))),
    deps.db.delete(workspaceMembers).where(and(eq(workspaceMembers.orgId, orgId), eq(workspaceMembers.workspaceId, workspaceId))),
    deps.db.delete(workspaces).where(and(eq(workspaces.orgId, orgId), eq(workspaces.id, workspaceId))),
  ])
}
