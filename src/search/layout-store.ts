/**
 * @module Where page layouts live in R2 (`layouts/<fileId>/page-<n>.json`, one object per PDF page
 * with text) and reading, writing and removing them. One object a page, so a citation reads only the
 * page it points to, and each page-range message writes only its own pages.
 */
import { decodePageLayout, type PageLayout } from './page-layout'

/** Every layout of every file sits under this prefix. */
export const LAYOUTS_PREFIX = 'layouts/'

/** The folder of one file's layouts, for listing and deleting them together. */
export function layoutPrefix(fileId: string): string {
  return `${LAYOUTS_PREFIX}${fileId}/`
}

/** @example pageLayoutKey('file-abc', 3) // 'layouts/file-abc/page-00003.json' */
export function pageLayoutKey(fileId: string, page: number): string {
  return `${layoutPrefix(fileId)}page-${String(page).padStart(5, '0')}.json`
}

/** A page's layout as ingestion stores it: the page (1-based) and its encoded layout (page-layout.ts). */
export type StoredLayout = { page: number; json: string }

/** Puts at a time: a Worker keeps at most six connections open. */
const PARALLEL_PUTS = 6

/**
 * Writes the layouts of pages `from..to` and removes any other page of the range's, so a part read
 * again leaves exactly what it found (a redelivered message overwrites the same keys).
 */
export async function storePageLayouts(blobs: R2Bucket, fileId: string, range: { from: number; to: number }, layouts: readonly StoredLayout[]): Promise<void> {
  for (let i = 0; i < layouts.length; i += PARALLEL_PUTS) {
    await Promise.all(
      layouts.slice(i, i + PARALLEL_PUTS).map(({ page, json }) => blobs.put(pageLayoutKey(fileId, page), json, { httpMetadata: { contentType: 'application/json' } })),
    )
  }
  const kept = new Set(layouts.map((l) => l.page))
  const stale: string[] = []
  for (let page = range.from; page <= range.to; page++) if (!kept.has(page)) stale.push(pageLayoutKey(fileId, page))
  // R2 deletes at most 1,000 keys a call.
  for (let i = 0; i < stale.length; i += 1000) await blobs.delete(stale.slice(i, i + 1000))
}

/** Removes the layouts of some pages of a file (a part whose file failed or was deleted meanwhile). */
export async function discardPageLayouts(blobs: R2Bucket, fileId: string, pages: readonly number[]): Promise<void> {
  const keys = pages.map((page) => pageLayoutKey(fileId, page))
  for (let i = 0; i < keys.length; i += 1000) await blobs.delete(keys.slice(i, i + 1000))
}

/** The layout of a page, or null where none is kept (not a PDF, no text on the page, over the cap). */
export async function readPageLayout(blobs: R2Bucket, fileId: string, page: number): Promise<PageLayout | null> {
  const object = await blobs.get(pageLayoutKey(fileId, page))
  return object ? decodePageLayout(await object.text()) : null
}

/** Deletes every layout of a file: list (1,000 keys a page), then delete. */
export async function deleteLayouts(blobs: R2Bucket, fileId: string): Promise<void> {
  let cursor: string | undefined
  do {
    const listed = await blobs.list({ prefix: layoutPrefix(fileId), ...(cursor ? { cursor } : {}) })
    if (listed.objects.length > 0) await blobs.delete(listed.objects.map((o) => o.key))
    cursor = listed.truncated ? listed.cursor : undefined
  } while (cursor)
}
