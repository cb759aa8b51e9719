/**
 * @module Removing a workspace and everything in it, in one D1 batch so nothing is left
 * half-deleted. Files, chunks, vectors and completions join this list as they land.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { workspaceMembers, workspaces } from '../db/schema'

export async function deleteWorkspaceContents(db: Db, orgId: string, workspaceId: string): Promise<void> {
  await db.batch([
    db.delete(workspaceMembers).where(and(eq(workspaceMembers.orgId, orgId), eq(workspaceMembers.workspaceId, workspaceId))),
    db.delete(workspaces).where(and(eq(workspaces.orgId, orgId), eq(workspaces.id, workspaceId))),
  ])
}
