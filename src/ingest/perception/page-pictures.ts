/**
 * @module A picture for a reader (the agent's `look_at_page`, the page image route): a PDF page —
 * the render kept in R2, or one drawn now — or an uploaded image, prepared as the vision model takes
 * it (upright, scaled). Drawing and preparing happen in the ingest Worker's `PageRenderer`, over the
 * `PAGE_RENDERER` service binding, since the API Worker bundles neither PDFium nor the image
 * codecs. The port both Workers share; nothing here imports the renderer.
 */
import { pageRenderKey } from './render-keys'

/** The file a picture comes from: its id (render keys), where its bytes are in R2, and its kind (`pdf`, `png`, `jpeg`). */
export type PageFile = { id: string; blobKey: string; kind: string }

/** Kinds whose pictures can be shown: a PDF's pages, an image itself. */
export const PICTURE_KINDS: ReadonlySet<string> = new Set(['pdf', 'png', 'jpeg'])

/**
 * The picture, or a sentence saying why there is none: the PDF has no such page, it cannot be
 * drawn or read (damaged, too large, gone), or nothing can draw here (no renderer, or it failed).
 */
export type PagePicture =
  | { image: Uint8Array; mediaType: 'image/png' | 'image/jpeg' }
  | { refused: string; why: 'no-such-page' | 'undrawable' | 'no-renderer' }

/** What draws a page that has no picture kept; the ingest Worker's `PageRenderer` implements it. */
export type PageRendering = {
  picture(file: PageFile, page: number): Promise<PagePicture>
}

/**
 * The picture of a PDF page (1-based), or of an image file (`page` is then ignored): a PDF page is
 * read from R2 when kept, else drawn by `rendering` (which keeps it for next time); an image is
 * prepared by `rendering` each time. A renderer that fails is a refusal, never a thrown error.
 */
export async function pagePicture(blobs: R2Bucket, rendering: PageRendering | null, file: PageFile, page: number): Promise<PagePicture> {
  const kept = file.kind === 'pdf' ? await blobs.get(pageRenderKey(file.id, page)) : null
  if (kept) return { image: new Uint8Array(await kept.arrayBuffer()), mediaType: 'image/png' }
  if (!rendering) return { refused: 'no picture of it is kept, and no page renderer is bound to draw one (PAGE_RENDERER)', why: 'no-renderer' }
  try {
    return await rendering.picture(file, page)
  } catch (err) {
    console.warn(`page renderer failed on ${file.id} page ${page}: ${err instanceof Error ? err.message : String(err)}`)
    return { refused: 'the page renderer failed while drawing it', why: 'no-renderer' }
  }
}
