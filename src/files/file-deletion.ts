/**
 * @module Removing files and everything derived from them: chunks (and through the triggers their
 * FTS rows), finished-part records, vision page claims, the row, their vectors, the R2 object,
 * its page renders and its page layouts. Rows go in one D1 batch
 * first, so an ingest message still in flight finds no file and cleans up whatever it writes afterwards.
 * Every deletion is recorded in the org's audit log with who or what caused it.
 */
import { and, eq, inArray } from 'drizzle-orm'
import { appendAudit, type AuditActor } from '../audit/log'
import { fileParts, files, visionPages } from '../db/schema'
import type { Ports } from '../ports'
import { deleteRenders } from '../ingest/perception/render-keys'
import { deleteLayouts } from '../search/layout-store'
import { deleteChunkVectors } from '../search/vector-store'
import { openFile, type FileCaller } from './access'
import { deleteRowsStatement } from './lifecycle'

/** Why files go, for the audit log: a user deleting them, their expiry, their workspace going, or their source. */
export type DeletionReason = 'deleted' | 'expired' | 'workspace_deleted' | 'source_disconnected' | 'source_changed'
export type DeletionCause = { actor: AuditActor; reason: DeletionReason }

/** D1 binds at most 100 parameters per statement. */
const PER_STATEMENT = 90

/**
 * Deletes the files among `ids` that still exist, with everything derived from them, and records each
 * deletion with its cause; returns how many there were. Each file's row is read once, for its bytes'
 * key and for the audit record.
 */
export async function deleteFiles(deps: Pick<Ports, 'db' | 'index' | 'blobs' | 'vectors'>, ids: readonly string[], cause: DeletionCause): Promise<number> {
  let deleted = 0
  for (let i = 0; i < ids.length; i += PER_STATEMENT) {
    const gone = await deps.db
      .select({ id: files.id, blobKey: files.blobKey, orgId: files.orgId, workspaceId: files.workspaceId, filename: files.filename, bytes: files.bytes, sha256: files.sha256 })
      .from(files)
      .where(inArray(files.id, ids.slice(i, i + PER_STATEMENT)))
      .all()
    if (gone.length === 0) continue
    const found = gone.map((f) => f.id)
    // The chunks leave the index before the rows leave D1, so a retry after a failure between the two
    // still finds the files to delete. Vector ids are chunk ids: the index names those it removed.
    const chunkRefs = await deps.index.removeFiles(gone)
    await deps.db.batch([
      deps.db.delete(fileParts).where(inArray(fileParts.fileId, found)),
      deps.db.delete(visionPages).where(inArray(visionPages.fileId, found)),
      deleteRowsStatement(deps.db, found),
    ])
    await recordDeletions(deps, gone, cause)
    await deleteChunkVectors(deps.vectors, chunkRefs)
    await deps.blobs.delete(gone.map((f) => f.blobKey))
    // Only PDFs have renders and layouts; for any other file these are two empty listings.
    for (const id of found) {
      await deleteRenders(deps.blobs, id)
      await deleteLayouts(deps.blobs, id)
    }
    deleted += gone.length
  }
  return deleted
}

type DeletedFile = { id: string; orgId: string; workspaceId: string; filename: string; bytes: number; sha256: string | null }

async function recordDeletions(deps: Pick<Ports, 'db'>, gone: DeletedFile[], cause: DeletionCause): Promise<void> {
  const byOrg = new Map<string, DeletedFile[]>()
  for (const f of gone) byOrg.set(f.orgId, [...(byOrg.get(f.orgId) ?? []), f])
  for (const [orgId, deleted] of byOrg) {
    await appendAudit(
      deps.db,
      orgId,
      deleted.map((f) => ({
        actor: cause.actor,
        action: 'file.deleted' as const,
        workspaceId: f.workspaceId,
        target: f.id,
        details: { filename: f.filename, bytes: f.bytes, sha256: f.sha256, reason: cause.reason },
      })),
    )
  }
}

/** Every file of a workspace, for deleting the workspace. */
export async function workspaceFiles(deps: Pick<Ports, 'db'>, orgId: string, workspaceId: string): Promise<string[]> {
  const rows = await deps.db
    .select({ id: files.id })
    .from(files)
    .where(and(eq(files.orgId, orgId), eq(files.workspaceId, workspaceId)))
    .all()
  return rows.map((f) => f.id)
}

/**
 * Deletes one file a writer of its workspace names, with everything derived from it; returns its id.
 * @example await deleteFile(deps, caller, fileId, undefined)
 */
export async function deleteFile(deps: Pick<Ports, 'db' | 'index' | 'blobs' | 'vectors'>, caller: FileCaller, fileId: string, workspace: string | undefined): Promise<string> {
  const row = await openFile(deps.db, caller, fileId, workspace, 'writer')
  await deleteFiles(deps, [row.id], { actor: caller.actor, reason: 'deleted' })
  return row.id
}
