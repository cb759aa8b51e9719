/**
 * @module Where a PDF's page renders live in R2 (`renders/<fileId>/page-<n>.png`, one PNG per page)
 * and removing them. Nothing here imports the renderer, so the API Worker (the agent's
 * `look_at_page`, file deletion) can find and remove renders without pdfium in its bundle.
 */

/** Every render of every file sits under this prefix. */
export const RENDERS_PREFIX = 'renders/'

/** The folder of one file's renders, for listing and deleting them together. */
export function renderPrefix(fileId: string): string {
  return `${RENDERS_PREFIX}${fileId}/`
}

/**
 * The R2 key of a page's render (pages are 1-based). The ingest Worker writes one for every page of
 * a PDF it reads (see `page-render.ts` for the resolution); the object's custom metadata holds `dpi`.
 * Page numbers are zero-padded so a page range is a key range, listed in one call.
 * @example pageRenderKey('file-abc', 3) // 'renders/file-abc/page-00003.png'
 */
export function pageRenderKey(fileId: string, page: number): string {
  return `${renderPrefix(fileId)}page-${String(page).padStart(5, '0')}.png`
}

/**
 * Deletes every render of a file. R2 has no prefix delete: list (1,000 keys a page), then delete.
 * Takes only the bucket, so file deletion in the API Worker can call it.
 */
export async function deleteRenders(blobs: R2Bucket, fileId: string): Promise<void> {
  let cursor: string | undefined
  do {
    const listed = await blobs.list({ prefix: renderPrefix(fileId), ...(cursor ? { cursor } : {}) })
    if (listed.objects.length > 0) await blobs.delete(listed.objects.map((o) => o.key))
    cursor = listed.truncated ? listed.cursor : undefined
  } while (cursor)
}
