/**
 * @module What each page of one page-range message of a PDF holds, read from PDFium's page objects
 * (a scan, a figure, a chart, a diagram, or text only), so that the vision model is sent the pages
 * it can learn from; and the drawing of the pages it reads, at `DETAIL_DPI`, kept in R2 where the
 * agent's `look_at_page` finds them. No other page is drawn at ingestion: inspecting a page costs a
 * fifth of drawing it, and a page nobody looks at need not be drawn — `look_at_page` has any other
 * page drawn when it asks (`page-renderer.ts`).
 * The PDF stays open in PDFium while pdf.js extracts the text, so the pages the budget grants can
 * be drawn after. A redelivered message finds the pages an earlier delivery drew and does not draw
 * them again. A page PDFium cannot inspect is listed, not fatal; a PDF too large to open in PDFium
 * beside its text extraction in a Worker's memory is not inspected, and says so.
 */
import type { PageRange } from '../parsers/pdf'
import { formatBytes } from '../limits'
import { DETAIL_DPI, MAX_RENDER_SOURCE_BYTES, describedRender, drawPage, storeRender, type RenderedPage } from './page-render'
import { verdict, type PageVerdict } from './page-selection'
import { discardPdfium, openPdfium, type PdfiumPdf } from './pdfium'
import { pageRenderKey, renderPrefix } from './render-keys'

export type RangePages = {
  /** What every page of the range holds, in page order (pages PDFium could not inspect left out). */
  readonly verdicts: readonly PageVerdict[]
  /** Pages PDFium could not inspect. */
  readonly failed: readonly number[]
  /** Why no page was inspected, when none was. */
  readonly unavailable: string | null
  /** Pages drawn for the vision model and kept, by this delivery or an earlier one, in page order. */
  readonly drawn: readonly number[]
  /** The page at `DETAIL_DPI` for the vision model: drawn and kept, unless an earlier delivery did; null if it cannot be. */
  detailed(page: number): Promise<Uint8Array | null>
  close(): void
}

/** PDFium copies `bytes`: once this resolves, the caller may hand them to pdf.js. */
export async function inspectRange(blobs: R2Bucket, fileId: string, bytes: Uint8Array, range: PageRange): Promise<RangePages> {
  if (bytes.length > MAX_RENDER_SOURCE_BYTES) {
    return none(`Pages were not looked at: the PDF is larger than the ${formatBytes(MAX_RENDER_SOURCE_BYTES)} Cairn opens in PDFium`)
  }
  const kept = new Map<number, RenderedPage>((await storedRenders(blobs, fileId, range)).map((r) => [r.page, r]))
  let pdf: PdfiumPdf | null
  try {
    pdf = await openPdfium(bytes)
  } catch (err) {
    discardPdfium()
    console.warn(`pdfium could not open ${fileId}: ${err instanceof Error ? err.message : String(err)}`)
    return none('Pages were not looked at: PDFium could not open the PDF')
  }
  const last = Math.min(range.to, pdf.pageCount)
  if (last < range.from) {
    pdf.close()
    return none(`Pages were not looked at: PDFium finds ${pdf.pageCount} pages in the PDF`)
  }

  const verdicts: PageVerdict[] = []
  const failed: number[] = []
  for (let page = range.from; page <= last; page++) {
    const known = kept.get(page)
    if (known) {
      verdicts.push({ page, textless: known.textless, figure: known.figure })
      continue
    }
    if (!pdf) {
      failed.push(page)
      continue
    }
    try {
      verdicts.push(verdict(page, pdf.inspect(page)))
    } catch (err) {
      failed.push(page)
      // A trap leaves PDFium's memory in doubt: no more pages from this instance.
      if (err instanceof WebAssembly.RuntimeError) {
        discardPdfium()
        pdf = null
      }
    }
  }

  const open = pdf
  const drawn = new Set<number>()
  return {
    verdicts,
    failed,
    unavailable: null,
    get drawn() {
      return [...drawn].sort((a, b) => a - b)
    },
    async detailed(page) {
      const known = kept.get(page)
      if (known && (known.dpi >= DETAIL_DPI - 1 || !open)) {
        // Drawn in detail by an earlier delivery, or PDFium is gone: the kept render is the best there is.
        const object = await blobs.get(pageRenderKey(fileId, page))
        if (object) drawn.add(page)
        return object ? new Uint8Array(await object.arrayBuffer()) : null
      }
      if (!open) return null
      try {
        const render = await drawPage(open, page, DETAIL_DPI)
        await storeRender(blobs, fileId, render)
        drawn.add(page)
        return render.png
      } catch {
        return null
      }
    },
    close: () => open?.close(),
  }
}

/** The renders an earlier delivery stored for the range, from one listing (keys sort by page). */
async function storedRenders(blobs: R2Bucket, fileId: string, range: PageRange): Promise<RenderedPage[]> {
  const found: RenderedPage[] = []
  let cursor: string | undefined
  const first = pageRenderKey(fileId, range.from)
  const last = pageRenderKey(fileId, range.to)
  do {
    const listed = await blobs.list({
      prefix: renderPrefix(fileId),
      startAfter: pageRenderKey(fileId, range.from - 1),
      limit: Math.min(1000, range.to - range.from + 1),
      include: ['customMetadata'],
      ...(cursor ? { cursor } : {}),
    })
    for (const object of listed.objects) {
      if (object.key < first || object.key > last) continue
      const page = Number(/page-(\d+)\.png$/.exec(object.key)?.[1])
      const known = describedRender(page, object.customMetadata)
      if (known) found.push(known)
    }
    const end = listed.objects.at(-1)?.key
    cursor = listed.truncated && end !== undefined && end < last ? listed.cursor : undefined
  } while (cursor)
  return found
}

function none(reason: string | null): RangePages {
  return { verdicts: [], failed: [], unavailable: reason, drawn: [], detailed: async () => null, close: () => {} }
}

/** A range nothing will look at: PDFium does not run, and there is nothing to say about it. */
export const NOT_INSPECTED: RangePages = none(null)
