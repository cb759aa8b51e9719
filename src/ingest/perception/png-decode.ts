/**
 * @module Reading PNGs as a stream of rows, never whole: every chunk and CRC is checked, the pixel
 * data inflated piece by piece (fflate), each row unfiltered and, when a raster is wanted, averaged
 * into a smaller RGB raster (alpha laid over white). A 10,973×3,570 chart would take 157 MB decoded,
 * more than a Worker has; read this way it takes the small raster and two rows.
 */
import { Unzlib } from 'fflate'
import { DamagedFileError } from '../errors'
import { crc32 } from './crc32'
import type { Raster } from './png-encode'

export type PngHeader = { width: number; height: number; bitDepth: number; colorType: number; interlaced: boolean }

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
/** Bit depths allowed for each colour type (PNG spec, table 11.1). */
const DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] }
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }
/** Adam7: x start, y start, x step, y step of each pass. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const

const damaged = (why: string) => new DamagedFileError(`the PNG image is damaged: ${why}`)

/** The IHDR of a PNG, checked: dimensions, and a bit depth its colour type allows. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw damaged('it does not start with a PNG signature')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getUint32(8) !== 13 || type(bytes, 12) !== 'IHDR') throw damaged('its header is missing')
  if (crc32(bytes, 12, 29) !== view.getUint32(29)) throw damaged('its header is corrupt')
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  const [bitDepth, colorType, compression, filter, interlace] = [bytes[24]!, bytes[25]!, bytes[26]!, bytes[27]!, bytes[28]!]
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) throw damaged(`its header gives ${width}×${height} pixels`)
  if (!DEPTHS[colorType]?.includes(bitDepth) || compression !== 0 || filter !== 0 || interlace > 1) throw damaged('its header names an encoding that does not exist')
  return { width, height, bitDepth, colorType, interlaced: interlace === 1 }
}

/**
 * Reads the whole PNG, checking everything. With `target`, returns its pixels averaged down to
 * `target` (RGB, alpha over white); without, only checks (and returns null).
 */
export function decodePng(bytes: Uint8Array, target?: { width: number; height: number }): Raster | null {
  const header = readPngHeader(bytes)
  const { width, height, bitDepth, colorType } = header
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const bitsPerPixel = SAMPLES[colorType]! * bitDepth
  const filterStep = Math.max(1, bitsPerPixel >> 3)
  const passes = (header.interlaced ? ADAM7 : [[0, 0, 1, 1] as const]).map(([x0, y0, dx, dy]) => {
    const w = width > x0 ? Math.ceil((width - x0) / dx) : 0
    const h = height > y0 ? Math.ceil((height - y0) / dy) : 0
    return { x0, y0, dx, dy, w, h, rowBytes: Math.ceil((w * bitsPerPixel) / 8) }
  }).filter((p) => p.w > 0 && p.h > 0)

  let palette: Uint8Array | null = null
  let transparency: Uint8Array | null = null
  const sink = target ? rasterSink(header, target, () => ({ palette, transparency })) : null

  // Row assembly across inflated pieces: one row being filled, the one before it for unfiltering.
  let pass = 0
  let row = 0
  let filled = 0
  let current = new Uint8Array((passes[0]?.rowBytes ?? 0) + 1)
  let previous = new Uint8Array(current.length)
  let done = passes.length === 0
  const take = (piece: Uint8Array) => {
    let at = 0
    while (at < piece.length && !done) {
      const n = Math.min(piece.length - at, current.length - filled)
      current.set(piece.subarray(at, at + n), filled)
      filled += n
      at += n
      if (filled < current.length) break
      const p = passes[pass]!
      unfilter(current, previous, filterStep)
      sink?.(current, p, row)
      ;[previous, current] = [current, previous]
      filled = 0
      if (++row === p.h) {
        row = 0
        if (++pass === passes.length) done = true
        else {
          current = new Uint8Array(passes[pass]!.rowBytes + 1)
          previous = new Uint8Array(current.length)
        }
      }
    }
  }
  const inflate = new Unzlib((piece) => take(piece))

  let at = 8
  let sawData = false
  let ended = false
  while (at < bytes.length) {
    if (at + 12 > bytes.length) throw damaged('it is cut off before its end')
    const length = view.getUint32(at)
    const kind = type(bytes, at + 4)
    if (length > 0x7fffffff || at + 12 + length > bytes.length) throw damaged('it is cut off before its end')
    if (crc32(bytes, at + 4, at + 8 + length) !== view.getUint32(at + 8 + length)) throw damaged(`its ${kind} chunk is corrupt`)
    const body = bytes.subarray(at + 8, at + 8 + length)
    at += 12 + length
    if (kind === 'PLTE') palette = body
    else if (kind === 'tRNS') transparency = body
    else if (kind === 'IDAT') {
      sawData = true
      try {
        inflate.push(body)
      } catch {
        throw damaged('its pixel data cannot be decompressed')
      }
    } else if (kind === 'IEND') {
      ended = true
      break
    }
  }
  if (!sawData) throw damaged('it holds no pixel data')
  try {
    inflate.push(new Uint8Array(0), true)
  } catch {
    throw damaged(ended ? 'its pixel data cannot be decompressed' : 'it is cut off before its end')
  }
  if (!done) throw damaged('its pixel data ends before the last row')
  if (!ended) throw damaged('it is cut off before its end')
  if (colorType === 3 && (!palette || palette.length % 3 !== 0)) throw damaged('its palette is missing')
  return sink ? sink.raster() : null
}

function type(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!)
}

/** Undoes the row's filter in place; `row[0]` is the filter type. */
function unfilter(row: Uint8Array, previous: Uint8Array, step: number): void {
  const kind = row[0]
  const n = row.length
  switch (kind) {
    case 0:
      return
    case 1:
      for (let i = 1 + step; i < n; i++) row[i] = (row[i]! + row[i - step]!) & 0xff
      return
    case 2:
      for (let i = 1; i < n; i++) row[i] = (row[i]! + previous[i]!) & 0xff
      return
    case 3:
      for (let i = 1; i < n; i++) row[i] = (row[i]! + (((i > step ? row[i - step]! : 0) + previous[i]!) >> 1)) & 0xff
      return
    case 4:
      for (let i = 1; i < n; i++) {
        const a = i > step ? row[i - step]! : 0
        const b = previous[i]!
        const c = i > step ? previous[i - step]! : 0
        const p = a + b - c
        const pa = Math.abs(p - a)
        const pb = Math.abs(p - b)
        const pc = Math.abs(p - c)
        row[i] = (row[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff
      }
      return
    default:
      throw damaged(`a row has filter type ${kind}, which does not exist`)
  }
}

type Pass = { x0: number; y0: number; dx: number; dy: number; w: number; h: number }
type Sink = ((row: Uint8Array, pass: Pass, index: number) => void) & { raster(): Raster }

/**
 * Averages source pixels into target cells (a box filter: each target pixel is the mean of the
 * source pixels that fall in it), alpha laid over white so dark text on a transparent ground stays legible.
 */
function rasterSink(header: PngHeader, target: { width: number; height: number }, chunks: () => { palette: Uint8Array | null; transparency: Uint8Array | null }): Sink {
  const { width, height, bitDepth, colorType } = header
  const cells = target.width * target.height
  const sums = new Uint32Array(cells * 3)
  const counts = new Uint32Array(cells)
  const cellX = new Uint32Array(width)
  for (let x = 0; x < width; x++) cellX[x] = Math.min(target.width - 1, Math.floor((x * target.width) / width))
  const maxSample = (1 << bitDepth) - 1
  const rgb = new Uint8Array(3)

  const sink = ((row: Uint8Array, pass: Pass, index: number) => {
    const { palette, transparency } = chunks()
    const y = pass.y0 + index * pass.dy
    const cellRow = Math.min(target.height - 1, Math.floor((y * target.height) / height)) * target.width
    for (let i = 0; i < pass.w; i++) {
      pixel(row, i, rgb, colorType, bitDepth, maxSample, palette, transparency)
      const cell = cellRow + cellX[pass.x0 + i * pass.dx]!
      sums[cell * 3] = sums[cell * 3]! + rgb[0]!
      sums[cell * 3 + 1] = sums[cell * 3 + 1]! + rgb[1]!
      sums[cell * 3 + 2] = sums[cell * 3 + 2]! + rgb[2]!
      counts[cell] = counts[cell]! + 1
    }
  }) as Sink
  sink.raster = () => {
    const data = new Uint8Array(cells * 3)
    for (let c = 0; c < cells; c++) {
      const n = counts[c] || 1
      data[c * 3] = Math.round(sums[c * 3]! / n)
      data[c * 3 + 1] = Math.round(sums[c * 3 + 1]! / n)
      data[c * 3 + 2] = Math.round(sums[c * 3 + 2]! / n)
    }
    return { width: target.width, height: target.height, channels: 3, data }
  }
  return sink
}

/** Pixel `i` of an unfiltered row (after the filter byte) as RGB over white. */
function pixel(row: Uint8Array, i: number, out: Uint8Array, colorType: number, bitDepth: number, maxSample: number, palette: Uint8Array | null, trns: Uint8Array | null): void {
  let r: number
  let g: number
  let b: number
  let a = 255
  if (bitDepth < 8 || colorType === 3) {
    let v: number
    if (bitDepth < 8) {
      const bit = i * bitDepth
      v = (row[1 + (bit >> 3)]! >> (8 - bitDepth - (bit & 7))) & maxSample
    } else v = row[1 + i]!
    if (colorType === 3) {
      r = palette?.[v * 3] ?? 0
      g = palette?.[v * 3 + 1] ?? 0
      b = palette?.[v * 3 + 2] ?? 0
      if (trns && v < trns.length) a = trns[v]!
    } else {
      r = g = b = Math.round((v * 255) / maxSample)
      if (trns && trns.length >= 2 && ((trns[0]! << 8) | trns[1]!) === v) a = 0
    }
  } else {
    // 8 or 16 bits per sample; of 16, the high byte is the sample, both bytes compare with tRNS.
    const bytes = bitDepth >> 3
    const at = 1 + i * SAMPLES[colorType]! * bytes
    const sample = (k: number) => row[at + k * bytes]!
    const wide = (k: number) => (bytes === 2 ? (row[at + 2 * k]! << 8) | row[at + 2 * k + 1]! : row[at + k]!)
    const key = (k: number) => (trns!.length >= 2 * k + 2 ? (trns![2 * k]! << 8) | trns![2 * k + 1]! : -1)
    if (colorType === 0 || colorType === 4) {
      r = g = b = sample(0)
      if (colorType === 4) a = sample(1)
      else if (trns && key(0) === wide(0)) a = 0
    } else {
      r = sample(0)
      g = sample(1)
      b = sample(2)
      if (colorType === 6) a = sample(3)
      else if (trns && key(0) === wide(0) && key(1) === wide(1) && key(2) === wide(2)) a = 0
    }
  }
  if (a === 255) {
    out[0] = r
    out[1] = g
    out[2] = b
  } else {
    out[0] = (r * a + 255 * (255 - a) + 127) / 255
    out[1] = (g * a + 255 * (255 - a) + 127) / 255
    out[2] = (b * a + 255 * (255 - a) + 127) / 255
  }
}
