/**
 * @module The ingest Worker's `PageRenderer` entrypoint, which the API Worker calls over the
 * `PAGE_RENDERER` service binding (RPC): draws a PDF page, keeps it in R2 and returns it; or
 * prepares an uploaded image as the vision model takes it (upright, scaled). PDFium and the image
 * codecs live in the ingest Worker only; ingestion draws just the pages the vision model reads, and
 * this draws any other page the moment the agent wants to look at it.
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import { DamagedFileError, isIngestError } from '../errors'
import { prepareImage } from './image-prep'
import type { PageFile, PagePicture, PageRendering } from './page-pictures'
import { renderPage } from './page-render'
import { discardPdfium } from './pdfium'

export class PageRenderer extends WorkerEntrypoint<Env> implements PageRendering {
  async picture(file: PageFile, page: number): Promise<PagePicture> {
    return drawnPicture(this.env.FILES, file, page)
  }
}

/** `renderPage` or `prepareImage`, with every way they can fail said in a sentence (RPC carries a result better than an error). */
export async function drawnPicture(blobs: R2Bucket, file: PageFile, page: number): Promise<PagePicture> {
  try {
    if (file.kind === 'png' || file.kind === 'jpeg') {
      const source = await blobs.get(file.blobKey)
      if (!source) throw new DamagedFileError('the image is no longer stored')
      const prepared = await prepareImage(new Uint8Array(await source.arrayBuffer()), file.kind)
      return { image: prepared.bytes, mediaType: prepared.mediaType }
    }
    return { image: await renderPage(blobs, file, page), mediaType: 'image/png' }
  } catch (err) {
    if (err instanceof RangeError) return { refused: err.message, why: 'no-such-page' }
    if (isIngestError(err)) return { refused: err.message, why: 'undrawable' }
    // A trap leaves PDFium's memory in doubt: the next page gets a fresh instance.
    if (err instanceof WebAssembly.RuntimeError) discardPdfium()
    console.warn(`pdfium could not draw ${file.id} page ${page}: ${err instanceof Error ? err.message : String(err)}`)
    return { refused: 'PDFium could not open or draw it', why: 'undrawable' }
  }
}
