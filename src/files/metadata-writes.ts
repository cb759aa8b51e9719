/**
 * @module Writes to a file row's metadata and to its metadata extraction request (the JSON state in
 * `files.instructions`: pending → queued → done | failed). Every move of the request is one
 * conditional UPDATE naming the request it expects, so a newer request replacing it meanwhile wins.
 */
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { files } from '../db/schema'
import { MAX_METADATA_BYTES, type FileRow } from './file-object'

/** The column's `$.field`, read only when it holds JSON (plain text from before is not a request). */
const stateField = (field: string) => `CASE WHEN json_valid(instructions) THEN json_extract(instructions, '$.${field}') END`

/** A claimed request: where its job goes, and which request it is. */
export type ClaimedExtraction = { orgId: string; workspaceId: string; request: string }

/**
 * Moves a processed file's waiting request to `queued`; null when there is none. One conditional
 * UPDATE, so of the API and the consumer racing at the moment a file turns processed, exactly one claims it.
 */
export async function claimPendingExtraction(d1: D1Database, fileId: string): Promise<ClaimedExtraction | null> {
  return d1
    .prepare(
      `UPDATE files SET instructions = json_set(instructions, '$.status', 'queued')
       WHERE id = ?1 AND status = 'processed' AND ${stateField('status')} = 'pending'
       RETURNING org_id AS orgId, workspace_id AS workspaceId, json_extract(instructions, '$.request') AS request`,
    )
    .bind(fileId)
    .first<ClaimedExtraction>()
}

/** Moves a queued request back to `pending` (unless a newer one replaced it). */
export async function returnExtractionToPending(d1: D1Database, fileId: string, request: string): Promise<void> {
  await d1
    .prepare(`UPDATE files SET instructions = json_set(instructions, '$.status', ?3) WHERE id = ?1 AND ${stateField('request')} = ?2 AND ${stateField('status')} = 'queued'`)
    .bind(fileId, request, 'pending')
    .run()
}

/**
 * Ends queued request `request` with `done` as its new state (unless a newer one replaced it); `patch`,
 * when given, is merged into the metadata in the same statement, and only if the result stays within
 * MAX_METADATA_BYTES. False when the patch was not merged.
 */
export async function finishExtraction(d1: D1Database, fileId: string, request: string, done: object, patch?: Record<string, unknown>): Promise<boolean> {
  const guard = `id = ?1 AND ${stateField('request')} = ?3 AND ${stateField('status')} = 'queued'`
  if (!patch) {
    await d1.prepare(`UPDATE files SET instructions = ?2 WHERE ${guard}`).bind(fileId, JSON.stringify(done), request).run()
    return true
  }
  // json_patch of an object of scalars is a shallow merge, done in SQL so a PATCH landing meanwhile is not lost.
  const merged = await d1
    .prepare(
      `UPDATE files SET metadata = json_patch(metadata, ?4), instructions = ?2
       WHERE ${guard} AND length(CAST(json_patch(metadata, ?4) AS BLOB)) <= ?5 RETURNING id`,
    )
    .bind(fileId, JSON.stringify(done), request, JSON.stringify(patch), MAX_METADATA_BYTES)
    .first()
  return merged !== null
}

/** Replaces a file's metadata (JSON text), and its extraction request when one is given; undefined when the file is gone. */
export async function writeMetadata(db: Db, fileId: string, metadata: string, extractionRequest: string | null): Promise<FileRow | undefined> {
  const changes = extractionRequest === null ? { metadata } : { metadata, instructions: extractionRequest }
  return db.update(files).set(changes).where(eq(files.id, fileId)).returning().get()
}
