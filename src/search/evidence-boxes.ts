/**
 * @module Boxes for evidence: where retrieved chunks and cited quotes stand on their PDF pages. Each
 * page's layout is read once, all pages in parallel, only the pages cited; a passage on a page with
 * no layout (a scan, a slide, a format without pages) gets none.
 */
import type { ChunkHit } from './chunk-hits'
import { readPageLayout } from './layout-store'
import type { Box, PageLayout } from './page-layout'
import { passageBoxes } from './passage-boxes'

/** A passage to draw: its page of a file, its text and, for a quote, the chunk it was taken from. */
export type PassageRequest = { fileId: string; page: number | null; passage: string; within?: string }

/**
 * The boxes of each passage, in order: null where its page keeps no layout or its text is not found there.
 * @example const [boxes] = await locatePassages(blobs, [{ fileId, page: 3, passage: quote, within: chunkText }])
 */
export async function locatePassages(blobs: R2Bucket, requests: readonly PassageRequest[]): Promise<Array<Box[] | null>> {
  const pages = new Map<string, Promise<PageLayout | null>>()
  for (const { fileId, page } of requests) {
    if (page === null) continue
    const key = `${fileId}\u0000${page}`
    if (!pages.has(key)) pages.set(key, readLayout(blobs, fileId, page))
  }
  const layouts = new Map<string, PageLayout | null>()
  await Promise.all([...pages].map(async ([key, layout]) => layouts.set(key, await layout)))
  return requests.map(({ fileId, page, passage, within }) => {
    const layout = page === null ? null : layouts.get(`${fileId}\u0000${page}`)
    return layout ? passageBoxes(layout, passage, within) : null
  })
}

/** Reading a layout never fails a search: a damaged or unreadable one means no boxes. */
async function readLayout(blobs: R2Bucket, fileId: string, page: number): Promise<PageLayout | null> {
  try {
    return await readPageLayout(blobs, fileId, page)
  } catch (err) {
    console.warn(`the layout of ${fileId} page ${page} could not be read`, err)
    return null
  }
}

/** The hits with `boxes` around their text, where their page has a layout that holds it. */
export async function withBoxes<T extends ChunkHit>(blobs: R2Bucket, hits: readonly T[]): Promise<T[]> {
  const boxes = await locatePassages(blobs, hits.map((h) => ({ fileId: h.fileId, page: h.page, passage: h.text })))
  return hits.map((hit, i) => {
    const found = boxes[i]
    return found ? { ...hit, boxes: found } : hit
  })
}
