/**
 * @module What a reader can fetch of a file besides its record: the original bytes from R2, and
 * the picture of one page of a PDF (kept since ingestion or an earlier look, else drawn now).
 */
import type { Ports } from '../ports'
import { pagePicture } from '../ingest/perception/page-pictures'
import { openFile, type FileCaller } from './access'
import { FileError, type FileErrorKind } from './errors'
import type { FileRow } from './file-object'

/**
 * The file's row and its original bytes, for a reader of its workspace.
 * @example const { row, object } = await fileContent(deps, caller, fileId, undefined)
 */
export async function fileContent(
  deps: Pick<Ports, 'db' | 'blobs'>,
  caller: FileCaller,
  fileId: string,
  workspace: string | undefined,
): Promise<{ row: FileRow; object: R2ObjectBody }> {
  const row = await openFile(deps.db, caller, fileId, workspace, 'reader')
  const object = await deps.blobs.get(row.blobKey)
  if (!object) throw new FileError('not_found', `The bytes of "${row.id}" are gone; the file is being deleted.`, 'file_id')
  return { row, object }
}

const REFUSALS: Record<'no-such-page' | 'undrawable' | 'no-renderer', { kind: FileErrorKind; param: string | null }> = {
  'no-such-page': { kind: 'no_such_page', param: 'page' },
  undrawable: { kind: 'page_not_drawable', param: 'page' },
  'no-renderer': { kind: 'renderer_unavailable', param: null },
}

/**
 * The picture of page `page` (1-based) of a PDF the caller may read.
 * @example const picture = await filePageImage(deps, caller, fileId, undefined, 3)
 */
export async function filePageImage(
  deps: Pick<Ports, 'db' | 'blobs' | 'pageRendering'>,
  caller: FileCaller,
  fileId: string,
  workspace: string | undefined,
  page: number,
): Promise<{ image: Uint8Array; mediaType: string }> {
  const row = await openFile(deps.db, caller, fileId, workspace, 'reader')
  if (row.kind !== 'pdf') throw new FileError('not_a_pdf', `"${row.filename}" is not a PDF; only PDF pages have pictures.`, 'file_id')
  const picture = await pagePicture(deps.blobs, deps.pageRendering, { id: row.id, blobKey: row.blobKey, kind: row.kind }, page)
  if ('refused' in picture) {
    const { kind, param } = REFUSALS[picture.why]
    throw new FileError(kind, `Page ${page} of "${row.filename}" cannot be shown: ${picture.refused}.`, param)
  }
  return picture
}
