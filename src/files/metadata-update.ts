/**
 * @module Updating a file's metadata: a shallow merge where `null` removes a key, within the size
 * and depth limits; the key `instructions` is not stored but asks the reasoning model to set keys
 * from the file's content, queued at once when the file is processed, else when it completes.
 */
import { appendAudit } from '../audit/log'
import type { Ports } from '../ports'
import { MAX_INSTRUCTIONS_LENGTH, newExtractionRequest } from '../ingest/metadata-extraction'
import { queueMetadataExtraction } from '../ingest/metadata-extraction-job'
import { fileById, openFile, type FileCaller } from './access'
import { FileError } from './errors'
import type { FileRow } from './file-object'
import { metadataFault } from './metadata-limits'
import { writeMetadata } from './metadata-writes'

/** The `instructions` of a metadata update as a new request for the column, or the refusal that says why it cannot run. */
function extractionRequest(row: FileRow, instructions: unknown, keep: string[], reasoningConfigured: boolean): string {
  if (typeof instructions !== 'string' || instructions.trim() === '' || instructions.length > MAX_INSTRUCTIONS_LENGTH) {
    throw new FileError('invalid', `instructions must be a non-empty string of at most ${MAX_INSTRUCTIONS_LENGTH.toLocaleString('en-US')} characters, e.g. "extract the author and year".`, 'instructions')
  }
  if (!reasoningConfigured) {
    throw new FileError(
      'model_not_configured',
      "instructions: cannot update metadata from the file's content: no reasoning model is configured (set MODEL_PROVIDER and REASONING_MODEL). Send the metadata keys themselves instead.",
      'instructions',
    )
  }
  if (row.status === 'error') {
    throw new FileError('not_processed', `instructions: "${row.id}" could not be processed, so there is no content to read. Upload it again, then send the instructions.`, 'instructions')
  }
  return JSON.stringify(newExtractionRequest(instructions, keep, true))
}

/**
 * Merges `body` into the metadata of a file the caller may write; returns the file as it is now.
 * @example await updateFileMetadata(deps, caller, fileId, undefined, { year: 2020, draft: null })
 */
export async function updateFileMetadata(
  deps: Pick<Ports, 'db' | 'd1' | 'index' | 'ingestQueue' | 'models'>,
  caller: FileCaller,
  fileId: string,
  workspace: string | undefined,
  body: Record<string, unknown>,
): Promise<FileRow> {
  const row = await openFile(deps.db, caller, fileId, workspace, 'writer')
  const { instructions, ...patch } = body
  const extraction = instructions === undefined ? null : extractionRequest(row, instructions, Object.keys(patch), deps.models.reasoning !== null)
  const merged: Record<string, unknown> = JSON.parse(row.metadata)
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key]
    else merged[key] = value
  }
  const fault = metadataFault(merged, 'metadata')
  if (fault) throw new FileError('invalid', fault, 'metadata')
  let updated = await writeMetadata(deps.db, row.id, JSON.stringify(merged), extraction)
  if (!updated) throw new FileError('not_found', `No file "${row.id}".`, 'file_id')
  // The filter reads metadata from the index's copy of the file too.
  await deps.index.publish([updated])
  await appendAudit(deps.db, row.orgId, [
    {
      actor: caller.actor,
      action: 'file.metadata_changed',
      workspaceId: row.workspaceId,
      target: row.id,
      // The keys changed (null: removed) and the instructions, so the log says what changed, not only that something did.
      details: { changes: patch, instructions: typeof instructions === 'string' ? instructions : null },
    },
  ])
  // Processed already: queue it now. Otherwise the message that completes the file does.
  if (extraction !== null && (await queueMetadataExtraction(deps, row.id))) {
    // Re-read for the request's `queued` state; gone meanwhile, the row just written is the answer.
    updated = (await fileById(deps.db, row.id)) ?? updated
  }
  return updated
}
