/**
 * @module PDFium (WebAssembly) in the ingest Worker: loaded once per isolate; opens a PDF, says what
 * each page holds (text objects, figure-like objects and their area) and draws a page straight into
 * PNG scanlines. The only module importing `@hyzyla/pdfium` (~2 MB gzipped): the API Worker must
 * never reach it.
 */
import { PDFiumLibrary, type PDFiumDocument, type PDFiumPage } from '@hyzyla/pdfium'
import pdfiumWasm from '@hyzyla/pdfium/pdfium.wasm'

/** PDFium's page object types (fpdf_edit.h). */
const OBJECT = { text: 1, path: 2, image: 3, shading: 4, form: 5 } as const

/**
 * The parts of the Emscripten module the wrapper keeps private: object bounds are not in its API,
 * and its renderer draws RGBA through a copy where PNG rows can be drawn in place. Pinned with the
 * package (2.1.13); a change there fails the tests.
 */
type PdfiumModule = {
  _FPDFPage_CountObjects(page: number): number
  _FPDFPage_GetObject(page: number, index: number): number
  _FPDFPageObj_GetType(object: number): number
  _FPDFPageObj_GetBounds(object: number, left: number, bottom: number, right: number, top: number): number
  _FPDFBitmap_CreateEx(width: number, height: number, format: number, buffer: number, stride: number): number
  _FPDFBitmap_FillRect(bitmap: number, left: number, top: number, width: number, height: number, color: number): void
  _FPDFBitmap_Destroy(bitmap: number): void
  _FPDF_RenderPageBitmap(bitmap: number, page: number, x: number, y: number, width: number, height: number, rotate: number, flags: number): void
  _FPDF_ClosePage(page: number): void
  HEAPU8: Uint8Array
  HEAPF32: Float32Array
  wasmExports: { malloc(size: number): number; free(pointer: number): void }
}

/** FPDFBitmap_BGR: 3 bytes a pixel; with FPDF_REVERSE_BYTE_ORDER they come out R, G, B. */
const BITMAP_BGR = 2
/** FPDF_ANNOT (draw annotations) | FPDF_REVERSE_BYTE_ORDER; no LCD text, which PNGs of pages do not want. */
const RENDER_FLAGS = 0x01 | 0x10

/** What is on a page, from its objects, before it is drawn. */
export type PageContents = {
  /** Size in points (1/72 inch), after the page's rotation. */
  widthPt: number
  heightPt: number
  textObjects: number
  pathObjects: number
  /** Share of the page covered by images, forms and shadings smaller than the page (a figure, a chart, a photo). */
  figureArea: number
  /** Share of the page covered by path objects' bounding box (vector charts and diagrams, also table rules). */
  pathArea: number
  /** An image or form covering (nearly) the whole page: a scan, or a page drawn as one picture. */
  fullPagePicture: boolean
}

/**
 * A drawn page as PNG scanlines: each row is a filter byte (0, none) and then `width` RGB pixels, so
 * `rows` is what a PNG's IDAT deflates, with nothing to convert or copy.
 */
export type Scanlines = { width: number; height: number; rows: Uint8Array }

export type PdfiumPdf = {
  readonly pageCount: number
  /** Pages are 1-based. Throws when PDFium cannot load the page. */
  inspect(page: number): PageContents
  /** Draws a page at exactly `width`×`height` pixels, white background, annotations included, then closes it. */
  render(page: number, width: number, height: number): Scanlines
  close(): void
}

let library: Promise<PDFiumLibrary> | null = null

function loadLibrary(): Promise<PDFiumLibrary> {
  library ??= PDFiumLibrary.init({
    // The bundler hands over a compiled module; instantiating it here avoids fetching or reading a file.
    instantiateWasm: ((imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
      const instance = new WebAssembly.Instance(pdfiumWasm, imports)
      receive(instance, pdfiumWasm)
      return instance.exports
    }) as never,
  }).catch((err: unknown) => {
    library = null
    throw err
  })
  return library
}

/**
 * After PDFium traps (a damaged file can make it abort), its memory may be inconsistent: the next
 * file gets a fresh instance.
 */
export function discardPdfium(): void {
  library = null
}

/** Opens a PDF. PDFium copies `bytes` into its own memory, so the caller may hand them on afterwards. */
export async function openPdfium(bytes: Uint8Array): Promise<PdfiumPdf> {
  const lib = await loadLibrary()
  const doc: PDFiumDocument = await lib.loadDocument(bytes)
  const pageCount = doc.getPageCount()
  const module = (lib as unknown as { module: PdfiumModule }).module
  let open: { number: number; page: PDFiumPage; handle: number } | null = null

  // Loading a page parses its content; keeping it loaded from inspection to drawing spares a second parse.
  const pageAt = (number: number) => {
    if (open?.number === number) return open
    closeOpen()
    if (number < 1 || number > pageCount) throw new RangeError(`page ${number} is not in 1–${pageCount}`)
    const page = doc.getPage(number - 1)
    const handle = (page as unknown as { pageIdx: number }).pageIdx
    if (!handle) throw new Error(`PDFium could not load page ${number}`)
    open = { number, page, handle }
    return open
  }
  const closeOpen = () => {
    if (open) module._FPDF_ClosePage(open.handle)
    open = null
  }

  return {
    pageCount,
    inspect(number) {
      const { page, handle } = pageAt(number)
      const { originalWidth, originalHeight } = page.getOriginalSize()
      return { widthPt: originalWidth, heightPt: originalHeight, ...objectsOf(module, handle, originalWidth, originalHeight) }
    },
    render(number, width, height) {
      const { handle } = pageAt(number)
      try {
        return drawScanlines(module, handle, width, height)
      } finally {
        closeOpen()
      }
    },
    close() {
      closeOpen()
      doc.destroy()
    },
  }
}

/**
 * Draws into a buffer laid out as PNG scanlines: the bitmap starts one byte in and its stride is a
 * row plus one byte, so the byte before each row — the PNG filter byte — is never a pixel.
 */
function drawScanlines(module: PdfiumModule, page: number, width: number, height: number): Scanlines {
  const stride = width * 3 + 1
  const size = stride * height
  const buffer = module.wasmExports.malloc(size + 1)
  if (!buffer) throw new Error(`PDFium could not allocate ${width}×${height} pixels`)
  let bitmap = 0
  try {
    bitmap = module._FPDFBitmap_CreateEx(width, height, BITMAP_BGR, buffer + 1, stride)
    if (!bitmap) throw new Error(`PDFium could not make a ${width}×${height} bitmap`)
    module._FPDFBitmap_FillRect(bitmap, 0, 0, width, height, 0xffffffff)
    module._FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, RENDER_FLAGS)
    const rows = module.HEAPU8.slice(buffer, buffer + size)
    // Whatever PDFium left past a row's pixels, the filter bytes say "none".
    for (let y = 0; y < size; y += stride) rows[y] = 0
    return { width, height, rows }
  } finally {
    if (bitmap) module._FPDFBitmap_Destroy(bitmap)
    module.wasmExports.free(buffer)
  }
}

function objectsOf(module: PdfiumModule, pageIdx: number, widthPt: number, heightPt: number): Omit<PageContents, 'widthPt' | 'heightPt'> {
  const pageArea = Math.max(1, widthPt * heightPt)
  const bounds = module.wasmExports.malloc(16)
  let textObjects = 0
  let pathObjects = 0
  let figureArea = 0
  let fullPagePicture = false
  const paths = { left: Infinity, bottom: Infinity, right: -Infinity, top: -Infinity }
  try {
    const count = module._FPDFPage_CountObjects(pageIdx)
    for (let i = 0; i < count; i++) {
      const object = module._FPDFPage_GetObject(pageIdx, i)
      const type = module._FPDFPageObj_GetType(object)
      if (type === OBJECT.text) {
        textObjects++
        continue
      }
      if (!module._FPDFPageObj_GetBounds(object, bounds, bounds + 4, bounds + 8, bounds + 12)) continue
      // Bounds are in the unrotated page space, whose origin need not be 0: areas compare, positions do not.
      const at = bounds >> 2
      const [left, bottom, right, top] = [module.HEAPF32[at]!, module.HEAPF32[at + 1]!, module.HEAPF32[at + 2]!, module.HEAPF32[at + 3]!]
      if (!(right > left && top > bottom)) continue
      if (type === OBJECT.path) {
        pathObjects++
        paths.left = Math.min(paths.left, left)
        paths.bottom = Math.min(paths.bottom, bottom)
        paths.right = Math.max(paths.right, right)
        paths.top = Math.max(paths.top, top)
        continue
      }
      const share = ((right - left) * (top - bottom)) / pageArea
      if (share >= FULL_PAGE) fullPagePicture = true
      else figureArea += share
    }
  } finally {
    module.wasmExports.free(bounds)
  }
  const pathArea = pathObjects > 0 ? ((paths.right - paths.left) * (paths.top - paths.bottom)) / pageArea : 0
  return { textObjects, pathObjects, figureArea: Math.min(1, figureArea), pathArea: Math.min(1, Math.max(0, pathArea)), fullPagePicture }
}

/** An object covering this much of the page is the page itself (a scan, a background), not a figure on it. */
const FULL_PAGE = 0.85
