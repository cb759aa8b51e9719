/**
 * @module Writing PNGs: 8-bit grey, RGB or RGBA rasters, unfiltered rows, deflated by the runtime's
 * native `CompressionStream` (several times faster than a JavaScript deflate at 72 dpi page sizes).
 */
import { concatBytes } from '../../bytes'
import { crc32 } from './crc32'

export type Raster = {
  width: number
  height: number
  /** 1 (grey), 3 (RGB) or 4 (RGBA) bytes per pixel, rows top to bottom, no padding. */
  channels: 1 | 3 | 4
  data: Uint8Array
}

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)
const COLOR_TYPE = { 1: 0, 3: 2, 4: 6 } as const

/** @example const png = await encodePng({ width: 2, height: 1, channels: 3, data: Uint8Array.of(255, 0, 0, 0, 0, 255) }) */
export async function encodePng(raster: Raster): Promise<Uint8Array> {
  const { width, height, channels, data } = raster
  const stride = width * channels
  if (data.length < stride * height) throw new RangeError(`a ${width}×${height} raster needs ${stride * height} bytes, got ${data.length}`)
  // Filter type 0 (none) on every row: filtering would cost a pass and helps little on pages and charts.
  const rows = new Uint8Array((stride + 1) * height)
  for (let y = 0; y < height; y++) rows.set(data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  return assemble(width, height, channels, await deflate(rows))
}

/**
 * A PNG from ready-made scanlines (each row: filter byte 0, then RGB pixels), as `pdfium.ts` draws
 * them. A page without colour (most text pages) is written as greyscale: the same pixels, a third of
 * the bytes to deflate, which is most of the time spent here.
 */
export async function encodePngScanlines(width: number, height: number, rows: Uint8Array): Promise<Uint8Array> {
  const stride = width * 3 + 1
  if (rows.length !== stride * height) throw new RangeError(`${width}×${height} RGB scanlines take ${stride * height} bytes, got ${rows.length}`)
  if (!isGrey(rows, stride)) return assemble(width, height, 3, await deflate(rows))
  const grey = new Uint8Array((width + 1) * height)
  for (let y = 0, s = 0, o = 0; y < height; y++) {
    s = y * stride + 1
    o = y * (width + 1) + 1
    for (let x = 0; x < width; x++, s += 3) grey[o++] = rows[s]!
  }
  return assemble(width, height, 1, await deflate(grey))
}

/** Whether every pixel has R = G = B; stops at the first that does not. */
function isGrey(rows: Uint8Array, stride: number): boolean {
  for (let row = 0; row < rows.length; row += stride) {
    for (let s = row + 1, end = row + stride; s < end; s += 3) {
      if (rows[s] !== rows[s + 1] || rows[s] !== rows[s + 2]) return false
    }
  }
  return true
}

function assemble(width: number, height: number, channels: 1 | 3 | 4, idat: Uint8Array): Uint8Array {
  const header = new Uint8Array(13)
  const view = new DataView(header.buffer)
  view.setUint32(0, width)
  view.setUint32(4, height)
  header[8] = 8
  header[9] = COLOR_TYPE[channels]
  return concatBytes([SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))])
}

/** zlib-wrapped deflate, as IDAT wants it. */
async function deflate(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream('deflate'))
  return new Uint8Array(await new Response(stream).arrayBuffer())
}

function chunk(type: string, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + body.length)
  const view = new DataView(out.buffer)
  view.setUint32(0, body.length)
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i)
  out.set(body, 8)
  view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)))
  return out
}

