/**
 * @module One PDF page as a PNG in R2 (key from `render-keys.ts`), and `renderPage`, which draws a
 * page for the agent's `look_at_page` when ingestion did not. A page that holds a picture (a scan,
 * a figure) is drawn at 144 dpi, since small print needs it; a page of text only at 72 dpi. Either
 * way the long side stays within 1,568 px, what vision models take in usefully. Each render's
 * custom metadata records its dpi and what the page holds, so a redelivered message need not draw
 * it again.
 */
import { DamagedFileError, LimitExceededError } from '../errors'
import { formatBytes } from '../limits'
import { verdict, type PageVerdict } from './page-selection'
import { openPdfium, type PdfiumPdf } from './pdfium'
import { encodePngScanlines } from './png-encode'
import { pageRenderKey } from './render-keys'

export const BASE_DPI = 72
export const DETAIL_DPI = 144
/** Longest side of a render, in pixels: larger images are scaled down by the models anyway, at a cost in tokens. */
export const MAX_RENDER_SIDE = 1568

/**
 * Largest PDF opened in PDFium. At ingestion PDFium holds its own copy of the file while pdf.js
 * reads the original: two copies, plus page bitmaps, must fit in a Worker's 128 MB.
 */
export const MAX_RENDER_SOURCE_BYTES = 32 * 1024 * 1024

/** A stored render, described: which page, at what resolution, and what the page holds. */
export type RenderedPage = PageVerdict & {
  /** The resolution actually used: `BASE_DPI` or `DETAIL_DPI`, lower where the side cap applied. */
  dpi: number
}

export type PageRender = RenderedPage & { width: number; height: number; png: Uint8Array }

/**
 * Pixel size of a page drawn at `dpi` (sizes in points), scaled down to fit `MAX_RENDER_SIDE`.
 * @example renderSize(612, 792, 72) // { width: 612, height: 792, dpi: 72 }
 */
export function renderSize(widthPt: number, heightPt: number, dpi: number): { width: number; height: number; dpi: number } {
  const fit = Math.min(dpi, (MAX_RENDER_SIDE * 72) / Math.max(widthPt, heightPt, 1))
  return { width: Math.max(1, Math.round((widthPt * fit) / 72)), height: Math.max(1, Math.round((heightPt * fit) / 72)), dpi: fit }
}

/** Draws one page of an open PDF as a PNG at `dpi` (or at the side cap, whichever is smaller). */
export async function drawPage(pdf: PdfiumPdf, page: number, dpi: number = BASE_DPI): Promise<PageRender> {
  const contents = pdf.inspect(page)
  const size = renderSize(contents.widthPt, contents.heightPt, dpi)
  const drawn = pdf.render(page, size.width, size.height)
  const png = await encodePngScanlines(drawn.width, drawn.height, drawn.rows)
  return { ...verdict(page, contents), dpi: size.dpi, width: drawn.width, height: drawn.height, png }
}

/** Writes a render to its key; the custom metadata says how it was drawn and what the page holds. */
export async function storeRender(blobs: R2Bucket, fileId: string, render: PageRender): Promise<void> {
  await blobs.put(pageRenderKey(fileId, render.page), render.png, {
    httpMetadata: { contentType: 'image/png' },
    customMetadata: { dpi: render.dpi.toFixed(3), textless: String(render.textless), figure: String(render.figure) },
  })
}

/** What a stored render's custom metadata says, or null when it says too little (written by something else). */
export function describedRender(page: number, metadata: Record<string, string> | undefined): RenderedPage | null {
  const dpi = Number(metadata?.dpi)
  if (!metadata || !(dpi > 0)) return null
  return { page, dpi, textless: metadata.textless === 'true', figure: metadata.figure === 'true' }
}

/**
 * The PNG of a page (1-based) of a PDF file: the render kept in R2, or, for a page not drawn yet, a
 * fresh one (kept for next time). The API Worker, which does not bundle PDFium, reaches this through
 * the ingest Worker's `PageRenderer` (`page-renderer.ts`).
 * @throws RangeError for a page the PDF does not have; DamagedFileError, LimitExceededError when the
 * PDF cannot be opened.
 * @example const png = await renderPage(env.FILES, file, 3)
 */
export async function renderPage(blobs: R2Bucket, file: { id: string; blobKey: string }, page: number): Promise<Uint8Array> {
  const cached = await blobs.get(pageRenderKey(file.id, page))
  if (cached) return new Uint8Array(await cached.arrayBuffer())
  const source = await blobs.get(file.blobKey)
  if (!source) throw new DamagedFileError('the PDF is no longer stored')
  if (source.size > MAX_RENDER_SOURCE_BYTES) {
    await source.body.cancel()
    throw new LimitExceededError(`the PDF is ${formatBytes(source.size)}, larger than the ${formatBytes(MAX_RENDER_SOURCE_BYTES)} Cairn opens in PDFium`)
  }
  const pdf = await openPdfium(new Uint8Array(await source.arrayBuffer()))
  try {
    if (!Number.isInteger(page) || page < 1 || page > pdf.pageCount) {
      throw new RangeError(`the PDF has ${pdf.pageCount} pages, so page ${page} cannot be shown`)
    }
    // Drawn for a reader: at the resolution a vision model would get, if the page is one it would read.
    const first = verdict(page, pdf.inspect(page))
    const render = await drawPage(pdf, page, first.textless || first.figure ? DETAIL_DPI : BASE_DPI)
    await storeRender(blobs, file.id, render)
    return render.png
  } finally {
    pdf.close()
  }
}
