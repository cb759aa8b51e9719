/**
 * @module Accepting a batch of uploads: all or nothing. Every file is checked (size, emptiness, type
 * from bytes and extension) before anything is stored; then bytes go to R2, rows to D1 as `uploaded`,
 * and one ingest message per file to the queue. A failure part-way undoes what was written.
 */
import { appendAudit, type AuditActor } from '../audit/log'
import { newHexId, sha256Hex } from '../db/ids'
import { sniffFileType } from '../ingest/file-type'
import { CONTENT_TYPES, NO_PERCEPTION, type FileRow } from './file-object'
import { formatBytes } from '../ingest/limits'
import type { Ports } from '../ports'
import type { IngestJob } from '../ingest/jobs'
import { newExtractionRequest } from '../ingest/metadata-extraction'
import { armIngestWatch } from '../ingest/watch'
import { insertUploaded, withdrawUploads } from './lifecycle'

export type Upload = {
  name: string
  bytes: Uint8Array
  /** The id to give the file; a source derives it from the object's version, so a retried sync finds its own file. */
  id?: string
  /** The name whose extension says the format, when `name` has none (a web page named by its URL). */
  formatName?: string
  /** This file's metadata, in place of the request's (a source's files each carry their own key). */
  metadata?: Record<string, unknown>
}
export type UploadRequest = {
  orgId: string
  workspaceId: string
  userId: string
  purpose: string
  metadata: Record<string, unknown>
  /** What metadata the reasoning model should set from each file's content, once it is processed. */
  instructions: string | null
  /** The source that brings the files in; null for an upload. */
  sourceId?: string | null
  /** Seconds after upload when the files expire and are deleted (expiry.ts); null or absent: never. */
  expiresAfterSeconds?: number | null
  /** Who the audit log says uploaded them: the user by default, the source's sync for a source's files. */
  actor?: AuditActor
}

/** Why each refused file was refused, in the order they came. */
export class UploadRefusedError extends Error {
  constructor(readonly problems: Array<{ filename: string; reason: string }>) {
    super(problems.map((p) => `${p.filename}: ${p.reason}`).join('; '))
    this.name = 'UploadRefusedError'
  }
}

export const MAX_FILES_PER_UPLOAD = 100
export const MAX_FILENAME_LENGTH = 255


/** Checks every upload; throws `UploadRefusedError` naming each bad one, so nothing of the batch is stored. */
export function checkUploads(uploads: Upload[], maxFileBytes: number) {
  const problems: Array<{ filename: string; reason: string }> = []
  const kinds = uploads.map((u) => {
    if (u.name.length === 0 || u.name.length > MAX_FILENAME_LENGTH) {
      problems.push({ filename: u.name.slice(0, 80) || '(unnamed)', reason: `a file name must have 1 to ${MAX_FILENAME_LENGTH} characters` })
      return null
    }
    if (u.bytes.length === 0) {
      problems.push({ filename: u.name, reason: 'the file is empty' })
      return null
    }
    if (u.bytes.length > maxFileBytes) {
      problems.push({ filename: u.name, reason: `the file is ${formatBytes(u.bytes.length)}, over the ${formatBytes(maxFileBytes)} limit per file` })
      return null
    }
    const sniffed = sniffFileType(u.bytes, u.formatName ?? u.name)
    if (!sniffed.ok) {
      problems.push({ filename: u.name, reason: sniffed.reason })
      return null
    }
    return sniffed.kind
  })
  if (problems.length > 0) throw new UploadRefusedError(problems)
  return kinds as string[]
}


function recordUploads(deps: Pick<Ports, 'db'>, request: UploadRequest, rows: FileRow[]) {
  const actor: AuditActor = request.actor ?? (request.sourceId ? { kind: 'system', name: `source:${request.sourceId}` } : { kind: 'user', userId: request.userId })
  return appendAudit(
    deps.db,
    request.orgId,
    rows.map((row) => ({
      actor,
      action: 'file.uploaded' as const,
      workspaceId: row.workspaceId,
      target: row.id,
      details: { filename: row.filename, bytes: row.bytes, sha256: row.sha256, kind: row.kind, expires_at_ms: row.expiresAtMs },
    })),
  )
}

export async function storeUploads(deps: Ports, request: UploadRequest, uploads: Upload[]): Promise<FileRow[]> {
  const kinds = checkUploads(uploads, deps.config.maxFileBytes)
  const now = Date.now()
  const hashes = await Promise.all(uploads.map((u) => sha256Hex(u.bytes)))
  // Keys given with the upload are the user's own: the model's answer does not overwrite them.
  const extraction = (instructions: string | null, metadata: Record<string, unknown>) =>
    instructions?.trim() ? JSON.stringify(newExtractionRequest(instructions, Object.keys(metadata), deps.models.reasoning !== null)) : null
  const rows: FileRow[] = uploads.map((u, i) => {
    const id = u.id ?? newHexId('file')
    const kind = kinds[i]!
    return {
      id,
      orgId: request.orgId,
      workspaceId: request.workspaceId,
      userId: request.userId,
      filename: u.name,
      bytes: u.bytes.length,
      sha256: hashes[i]!,
      purpose: request.purpose,
      kind,
      contentType: CONTENT_TYPES[kind] ?? 'application/octet-stream',
      status: 'uploaded',
      statusDetails: null,
      metadata: JSON.stringify(u.metadata ?? request.metadata),
      instructions: extraction(request.instructions, u.metadata ?? request.metadata),
      createdAt: Math.floor(now / 1000),
      createdAtMs: now + i,
      blobKey: `${request.orgId}/${request.workspaceId}/${id}`,
      pagesTotal: null,
      pagesDone: 0,
      partsTotal: null,
      chunkCount: 0,
      ...NO_PERCEPTION,
      progressAt: null,
      recoveries: 0,
      recoveredAt: null,
      sourceId: request.sourceId ?? null,
      expiresAtMs: request.expiresAfterSeconds ? now + i + request.expiresAfterSeconds * 1000 : null,
    }
  })
  // Armed before the rows exist, so no file is ever `uploaded` without a watch that would find it stalled.
  await armIngestWatch(deps)
  const stored: string[] = []
  try {
    for (const [i, row] of rows.entries()) {
      await deps.blobs.put(row.blobKey, uploads[i]!.bytes, {
        httpMetadata: { contentType: row.contentType },
        customMetadata: { fileId: row.id, filename: row.filename },
      })
      stored.push(row.blobKey)
    }
    await insertUploaded(deps.db, rows)
    try {
      await deps.ingestQueue.sendBatch(rows.map((row) => ({ body: { fileId: row.id, orgId: row.orgId, workspaceId: row.workspaceId } satisfies IngestJob })))
    } catch (err) {
      await withdrawUploads(deps.db, rows.map((row) => row.id))
      throw err
    }
    await recordUploads(deps, request, rows)
  } catch (err) {
    if (stored.length > 0) await deps.blobs.delete(stored)
    throw err
  }
  return rows
}
