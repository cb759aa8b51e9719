/**
 * @module Removing a workspace and everything in it: its files (bytes, chunks, index rows, vectors)
 * first, then its stored completions, then its memberships and the workspace itself in one batch.
 */
import { and, eq } from 'drizzle-orm'
import { completions, workspaceMembers, workspaces } from '../db/schema'
import { deleteFiles, workspaceFiles } from '../files/file-deletion'
import type { Ports } from '../ports'

export async function deleteWorkspaceContents(deps: Pick<Ports, 'db' | 'blobs' | 'vectors'>, orgId: string, workspaceId: string): Promise<void> {
  await deleteFiles(deps, await workspaceFiles(deps, orgId, workspaceId))
  await deps.db.batch([
    deps.db.delete(completions).where(and(eq(completions.orgId, orgId), eq(completions.workspaceId, workspaceId))),
    deps.db.delete(workspaceMembers).where(and(eq(workspaceMembers.orgId, orgId), eq(workspaceMembers.workspaceId, workspaceId))),
    deps.db.delete(workspaces).where(and(eq(workspaces.orgId, orgId), eq(workspaces.id, workspaceId))),
  ])
}
