/**
 * @module Rendering one page-range message's pages to R2 at 72 dpi — the pages that hold a picture
 * (a scan, a figure, a chart, a diagram), which are the ones a vision model or the agent's
 * `look_at_page` can learn from; a page of text only is inspected, not drawn, since its text is
 * indexed already and drawing every page would halve ingestion speed. The PDF is kept open so the
 * pages a vision model will read can be drawn again in detail, or drawn at all when only the text
 * extractor found them empty. Pages already rendered (a redelivered message) are not drawn again:
 * their metadata says what they hold.
 * A page PDFium cannot draw is listed, not fatal: the PDF's text is still indexed; a PDF too large
 * to render alongside its text extraction in a Worker's memory gets no renders at all, and says so.
 */
import type { PageRange } from '../parsers/pdf'
import { formatBytes } from '../limits'
import { DETAIL_DPI, describedRender, drawPage, storeRender, type PageRender, type RenderedPage } from './page-render'
import { verdict, type PageVerdict } from './page-selection'
import { discardPdfium, openPdfium, type PdfiumPdf } from './pdfium'
import { pageRenderKey, renderPrefix } from './render-keys'

/**
 * PDFium holds its own copy of the file while pdf.js reads the original: two copies, plus page
 * bitmaps, must fit in a Worker's 128 MB.
 */
export const MAX_RENDER_SOURCE_BYTES = 32 * 1024 * 1024
/** R2 writes in flight while the next page is drawn (a Worker has 6 connections). */
const PUTS_IN_FLIGHT = 4

export type RangeRenders = {
  /** Pages rendered and stored (now or by an earlier delivery), in page order. */
  readonly rendered: readonly RenderedPage[]
  /** What every page of the range holds, drawn or not, in page order. */
  readonly verdicts: readonly PageVerdict[]
  /** Pages PDFium could not draw. */
  readonly failed: readonly number[]
  /** Why no page was rendered, when none was. */
  readonly unavailable: string | null
  /** A page at `DETAIL_DPI` for a vision model: drawn again (stored in place of the first) unless it already is. */
  detailed(page: number): Promise<Uint8Array | null>
  close(): void
}

export type RenderOptions = {
  /**
   * Whether pages may go to a vision model. If so, the PDF is opened even when every page of the
   * range is already rendered, should one need drawing in detail.
   */
  detail: boolean
}

/** PDFium copies `bytes`: once this resolves, the caller may hand them to pdf.js. */
export async function renderRange(blobs: R2Bucket, fileId: string, bytes: Uint8Array, range: PageRange, options: RenderOptions): Promise<RangeRenders> {
  if (bytes.length > MAX_RENDER_SOURCE_BYTES) {
    return none(`Page images were not made: the PDF is larger than the ${formatBytes(MAX_RENDER_SOURCE_BYTES)} Cairn renders`)
  }
  const stored = await storedRenders(blobs, fileId, range)
  const rendered = new Map<number, RenderedPage>(stored.map((r) => [r.page, r]))
  const textOnly = new Map<number, PageVerdict>()
  const failed: number[] = []
  const needsDrawing = (r: RenderedPage) => (r.textless || r.figure) && r.dpi < DETAIL_DPI - 1
  const complete = stored.length === range.to - range.from + 1
  let pdf: PdfiumPdf | null = null
  if (!complete || (options.detail && stored.some(needsDrawing))) {
    try {
      pdf = await openPdfium(bytes)
    } catch (err) {
      discardPdfium()
      console.warn(`pdfium could not open ${fileId}: ${err instanceof Error ? err.message : String(err)}`)
      if (!complete) return none('Page images were not made: PDFium could not open the PDF')
    }
  }
  const last = pdf ? Math.min(range.to, pdf.pageCount) : range.to
  if (pdf && last < range.from) {
    pdf.close()
    return none(`Page images were not made: PDFium finds ${pdf.pageCount} pages in the PDF`)
  }

  const puts = new Set<Promise<void>>()
  try {
    for (let page = range.from; pdf && page <= last; page++) {
      if (rendered.has(page)) continue
      let render: PageRender
      try {
        const seen = verdict(page, pdf.inspect(page))
        if (!seen.textless && !seen.figure) {
          textOnly.set(page, seen)
          continue
        }
        render = await drawPage(pdf, page)
      } catch (err) {
        failed.push(page)
        // A trap leaves PDFium's memory in doubt: no more pages from this instance.
        if (err instanceof WebAssembly.RuntimeError) {
          discardPdfium()
          pdf = null
          for (let rest = page + 1; rest <= last; rest++) if (!rendered.has(rest)) failed.push(rest)
        }
        continue
      }
      rendered.set(page, describe(render))
      const put = storeRender(blobs, fileId, render).finally(() => puts.delete(put))
      puts.add(put)
      if (puts.size >= PUTS_IN_FLIGHT) await Promise.race(puts)
    }
    await Promise.all(puts)
  } catch (err) {
    pdf?.close()
    throw err
  }

  const open = pdf
  return {
    get rendered() {
      return [...rendered.values()].sort((a, b) => a.page - b.page)
    },
    get verdicts() {
      return [...rendered.values(), ...textOnly.values()].map(({ page, textless, figure }) => ({ page, textless, figure })).sort((a, b) => a.page - b.page)
    },
    failed,
    unavailable: null,
    async detailed(page) {
      const known = rendered.get(page)
      if (!known && !open) return null
      if (known && (known.dpi >= DETAIL_DPI - 1 || !open)) {
        // Already detailed, or PDFium is gone: the stored render is the best there is.
        const object = await blobs.get(pageRenderKey(fileId, page))
        return object ? new Uint8Array(await object.arrayBuffer()) : null
      }
      if (!open) return null
      try {
        // A text-only page by PDFium's count that the text extractor found empty (vertical CJK, say)
        // is drawn here for the first time.
        const render = await drawPage(open, page, DETAIL_DPI)
        await storeRender(blobs, fileId, render)
        rendered.set(page, describe(render))
        textOnly.delete(page)
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

function describe({ png: _png, width: _width, height: _height, ...render }: PageRender): RenderedPage {
  return render
}

function none(reason: string | null): RangeRenders {
  return { rendered: [], verdicts: [], failed: [], unavailable: reason, detailed: async () => null, close: () => {} }
}

/** A range nothing will look at: PDFium does not run, and there is nothing to say about it. */
export const NO_RENDERS: RangeRenders = none(null)
