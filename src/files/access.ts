/**
 * @module Which file a caller may reach. A file belongs to an org and a workspace: outside the
 * caller's org, or outside the workspace they name, it does not exist; inside, tenancy's rule
 * (handed in as `authorize`) decides whether their access to its workspace is enough.
 */
import { and, eq, gt, isNull, or } from 'drizzle-orm'
import type { Db } from '../db/client'
import { files, type Access } from '../db/schema'
import { FileError } from './errors'
import type { FileRow } from './file-object'
import type { AuditActor } from '../audit/log'
import type { UserPrincipal } from '../tenancy/principal'
import { authorizeWorkspace } from '../tenancy/workspace-access'

/** Who is asking: their org and user, and the tenancy rule for their access to a workspace. */
export type FileCaller = {
  orgId: string
  userId: string
  /** The caller as the audit log records them. */
  actor: AuditActor
  /** Resolves when the caller has at least `needed` access to the workspace; throws tenancy's refusal otherwise. */
  authorize(workspaceId: string, needed: Access): Promise<unknown>
}

/**
 * Files not past their expiry: one that has expired is gone to every reader at once, though the sweep
 * that deletes its bytes and chunks may come a little later.
 */
export const unexpired = (now = Date.now()) => or(isNull(files.expiresAtMs), gt(files.expiresAtMs, now))

/** The same rule in raw SQL over `files` as `alias`, with one placeholder for now (milliseconds). */
export const unexpiredSql = (alias: string) => `(${alias}.expires_at_ms IS NULL OR ${alias}.expires_at_ms > ?)`

/**
 * The file, if the caller may act on it at `needed`; another org's file, or one outside `workspace`, is not found.
 * @example const row = await openFile(db, caller, 'file-0a1b…', undefined, 'reader')
 */
export async function openFile(db: Db, caller: FileCaller, fileId: string, workspace: string | undefined, needed: Access): Promise<FileRow> {
  const row = await db.select().from(files).where(and(eq(files.id, fileId), eq(files.orgId, caller.orgId), unexpired())).get()
  if (!row || (workspace !== undefined && workspace !== row.workspaceId)) {
    throw new FileError('not_found', `No file "${fileId}"${workspace ? ` in workspace "${workspace}"` : ''}.`, 'file_id')
  }
  await caller.authorize(row.workspaceId, needed)
  return row
}

/** A signed-in user as the files domain sees them: their org, and tenancy's access rule bound to them. */
export function callerFor(db: Db, user: Pick<UserPrincipal, 'orgId' | 'userId' | 'email'>): FileCaller {
  return {
    orgId: user.orgId,
    userId: user.userId,
    actor: { kind: 'user', userId: user.userId, email: user.email },
    authorize: (workspaceId, needed) => authorizeWorkspace(db, user, workspaceId, needed),
  }
}

/** The row by id alone, for code that has already checked the caller's access to it. */
export async function fileById(db: Db, fileId: string): Promise<FileRow | undefined> {
  return db.select().from(files).where(eq(files.id, fileId)).get()
}
