/**
 * @module An upload as a front door receives it: parts that should be files, metadata as JSON text,
 * a purpose and instructions. Checks what the request says (in the order a person would fix it:
 * access, metadata, the parts), then stores the batch all or nothing (`upload.ts`).
 */
import type { Ports } from '../ports'
import { JSON_LIMITS, jsonTextDepth, metadataTooDeep } from '../json-limits'
import { DEFAULT_WORKSPACE } from '../tenancy/orgs'
import type { FileCaller } from './access'
import { FileError } from './errors'
import { expirySeconds, type ExpiresAfterFields } from './expiry'
import type { FileRow } from './file-object'
import { metadataFault } from './metadata-limits'
import { MAX_FILES_PER_UPLOAD, storeUploads, UploadRefusedError, type Upload } from './upload'

export type UploadFilesRequest = {
  /** Defaults to the org's `default` workspace. */
  workspace?: string | undefined
  /** Defaults to `user_data`, as OpenAI's. */
  purpose?: string | undefined
  /** A JSON object as text, applied to every file; blank is none. */
  metadata?: string | undefined
  instructions?: string | undefined
  /** OpenAI's `expires_after` as form fields; none is no expiry. */
  expiresAfter?: ExpiresAfterFields | undefined
  /** What came as the `file` field: each must be a File. */
  parts: unknown[]
}

function parseMetadataText(value: string | undefined): Record<string, unknown> {
  if (value === undefined || value.trim() === '') return {}
  if (jsonTextDepth(value, JSON_LIMITS.metadataDepth) > JSON_LIMITS.metadataDepth) throw new FileError('invalid', metadataTooDeep('metadata'), 'metadata')
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw new FileError('invalid', 'metadata must be a JSON object written as a string, e.g. {"author": "hegel"}.', 'metadata')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new FileError('invalid', 'metadata must be a JSON object, e.g. {"author": "hegel"}.', 'metadata')
  const fault = metadataFault(parsed as Record<string, unknown>, 'metadata')
  if (fault) throw new FileError('invalid', fault, 'metadata')
  return parsed as Record<string, unknown>
}

async function readParts(parts: unknown[]): Promise<Upload[]> {
  if (parts.some((p) => !(p instanceof File))) throw new FileError('invalid', 'Each "file" field must be a file (multipart with a filename), not a text value.', 'file')
  if (parts.length > MAX_FILES_PER_UPLOAD) throw new FileError('invalid', `At most ${MAX_FILES_PER_UPLOAD} files per upload; this one has ${parts.length}.`, 'file')
  return Promise.all((parts as File[]).map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })))
}

/**
 * Stores the files for ingestion, as `uploaded`, or none of them: a refusal names every bad file.
 * @example const [row] = await uploadFiles(deps, caller, { parts: [new File(['hello'], 'hello.txt')] })
 */
export async function uploadFiles(deps: Ports, caller: FileCaller, request: UploadFilesRequest): Promise<FileRow[]> {
  const workspaceId = request.workspace ?? DEFAULT_WORKSPACE
  await caller.authorize(workspaceId, 'writer')
  const metadata = parseMetadataText(request.metadata)
  const expiresAfterSeconds = expirySeconds(request.expiresAfter ?? {})
  const uploads = await readParts(request.parts)
  try {
    return await storeUploads(
      deps,
      { orgId: caller.orgId, workspaceId, userId: caller.userId, purpose: request.purpose ?? 'user_data', metadata, instructions: request.instructions ?? null, expiresAfterSeconds, actor: caller.actor },
      uploads,
    )
  } catch (err) {
    if (!(err instanceof UploadRefusedError)) throw err
    const names = err.problems.map((p) => `"${p.filename}": ${p.reason}`).join('; ')
    throw new FileError('upload_refused', `Nothing was stored. ${err.problems.length === 1 ? 'This file was' : 'These files were'} refused: ${names}.`, 'file')
  }
}
