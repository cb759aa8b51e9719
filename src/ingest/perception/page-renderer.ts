/**
 * @module The ingest Worker's `PageRenderer` entrypoint: draws a PDF page the API Worker asks for
 * over the `PAGE_RENDERER` service binding (RPC), keeps it in R2 and returns it. PDFium lives in
 * the ingest Worker only; ingestion draws just the pages the vision model reads, and this draws
 * any other page the moment the agent wants to look at it.
 */
import { WorkerEntrypoint } from 'cloudflare:workers'
import { isIngestError } from '../errors'
import type { PageFile, PagePicture, PageRendering } from './page-pictures'
import { renderPage } from './page-render'
import { discardPdfium } from './pdfium'

export class PageRenderer extends WorkerEntrypoint<Env> implements PageRendering {
  async picture(file: PageFile, page: number): Promise<PagePicture> {
    return drawnPicture(this.env.FILES, file, page)
  }
}

/** `renderPage`, with every way it can fail said in a sentence (RPC carries a result better than an error). */
export async function drawnPicture(blobs: R2Bucket, file: PageFile, page: number): Promise<PagePicture> {
  try {
    return { png: await renderPage(blobs, file, page) }
  } catch (err) {
    if (err instanceof RangeError) return { refused: err.message, why: 'no-such-page' }
    if (isIngestError(err)) return { refused: err.message, why: 'undrawable' }
    // A trap leaves PDFium's memory in doubt: the next page gets a fresh instance.
    if (err instanceof WebAssembly.RuntimeError) discardPdfium()
    console.warn(`pdfium could not draw ${file.id} page ${page}: ${err instanceof Error ? err.message : String(err)}`)
    return { refused: 'PDFium could not open or draw it', why: 'undrawable' }
  }
}
