/**
 * @module A PDF page's picture for a reader (the agent's `look_at_page`): the render kept in R2, or
 * one drawn now by the ingest Worker's `PageRenderer` over the `PAGE_RENDERER` service binding,
 * since the API Worker does not bundle PDFium. The port both Workers share; nothing here imports
 * the renderer.
 */
import { pageRenderKey } from './render-keys'

/** The PDF a page belongs to: its id (render keys) and where its bytes are in R2. */
export type PageFile = { id: string; blobKey: string }

/**
 * A page's PNG, or a sentence saying why there is none: the PDF has no such page, PDFium cannot
 * draw it (damaged, too large, gone), or nothing can draw pages here (no renderer, or it failed).
 */
export type PagePicture = { png: Uint8Array } | { refused: string; why: 'no-such-page' | 'undrawable' | 'no-renderer' }

/** What draws a page that has no picture kept; the ingest Worker's `PageRenderer` implements it. */
export type PageRendering = {
  picture(file: PageFile, page: number): Promise<PagePicture>
}

/**
 * The picture of a page (1-based): read from R2 when kept, else drawn by `rendering` (which keeps
 * it for next time). A renderer that fails is a refusal, never a thrown error.
 */
export async function pagePicture(blobs: R2Bucket, rendering: PageRendering | null, file: PageFile, page: number): Promise<PagePicture> {
  const kept = await blobs.get(pageRenderKey(file.id, page))
  if (kept) return { png: new Uint8Array(await kept.arrayBuffer()) }
  if (!rendering) return { refused: 'no picture of it is kept, and no page renderer is bound to draw one (PAGE_RENDERER)', why: 'no-renderer' }
  try {
    return await rendering.picture(file, page)
  } catch (err) {
    console.warn(`page renderer failed on ${file.id} page ${page}: ${err instanceof Error ? err.message : String(err)}`)
    return { refused: 'the page renderer failed while drawing it', why: 'no-renderer' }
  }
}
