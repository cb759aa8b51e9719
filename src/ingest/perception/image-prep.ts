/**
 * @module Getting an uploaded image ready for a vision model: fully decoded once to prove it is
 * sound (a damaged image ends in `error` before any model sees it), turned upright as its EXIF
 * orientation asks, and scaled down to fit the model's limit. The original stays in R2; only the
 * model gets the prepared copy.
 *
 * The limit: 1,568 px on the long side and 4 MB. Vision models tile or resize larger images
 * themselves (Llama 4 in 336 px tiles, at most 16; others at about this size), so more pixels cost
 * tokens and upload time and buy nothing.
 */
import { encode as encodeJpeg } from 'jpeg-js'
import { LimitExceededError } from '../errors'
import { DEFAULT_LIMITS } from '../limits'
import { boxScale } from './box-scale'
import { jpegOrientation, orient } from './exif-orientation'
import { decodeJpeg, readJpegHeader } from './jpeg-decode'
import { decodePng, readPngHeader } from './png-decode'
import { encodePng, type Raster } from './png-encode'

export const MAX_VISION_SIDE = 1568
export const MAX_VISION_BYTES = 4 * 1024 * 1024
/** PNGs are read a row at a time, so only time bounds them: ~150 MP is a few seconds of CPU (the budget lives in `limits.ts`). */
export const MAX_PNG_MEGAPIXELS = DEFAULT_LIMITS.maxPngMegapixels
const JPEG_QUALITY = 85

export type PreparedImage = {
  bytes: Uint8Array
  mediaType: 'image/png' | 'image/jpeg'
  width: number
  height: number
  original: { width: number; height: number }
  scaled: boolean
}

/** The size an image is sent at: its own, or scaled to fit `MAX_VISION_SIDE`. */
export function visionSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1, MAX_VISION_SIDE / Math.max(width, height))
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) }
}

/** @example const image = await prepareImage(bytes, 'png') // throws DamagedFileError for a broken one */
export async function prepareImage(bytes: Uint8Array, kind: 'png' | 'jpeg'): Promise<PreparedImage> {
  if (kind === 'png') {
    const header = readPngHeader(bytes)
    const megapixels = (header.width * header.height) / 1e6
    if (megapixels > MAX_PNG_MEGAPIXELS) {
      throw new LimitExceededError(
        `the PNG image is ${header.width}×${header.height} pixels (${Math.round(megapixels)} megapixels), more than the ${MAX_PNG_MEGAPIXELS} megapixels Cairn reads; save it smaller and upload it again`,
      )
    }
    const original = { width: header.width, height: header.height }
    const size = visionSize(header.width, header.height)
    if (!fits(size, original, bytes)) return encodeScaled(decodePng(bytes, size)!, original, 'image/png')
    decodePng(bytes)
    return { bytes, mediaType: 'image/png', ...original, original, scaled: false }
  }
  const header = readJpegHeader(bytes)
  const orientation = await jpegOrientation(bytes)
  const raster = orient(decodeJpeg(bytes, header), orientation)
  const original = { width: raster.width, height: raster.height }
  const size = visionSize(raster.width, raster.height)
  if (!fits(size, original, bytes)) return encodeScaled(boxScale(raster, size), original, 'image/jpeg')
  // A photo stored on its side goes as its upright pixels: not every model applies the EXIF tag.
  if (orientation !== 1) return { ...(await encodeScaled(raster, original, 'image/jpeg')), scaled: false }
  return { bytes, mediaType: 'image/jpeg', ...original, original, scaled: false }
}

function fits(size: { width: number; height: number }, original: { width: number; height: number }, bytes: Uint8Array): boolean {
  return size.width === original.width && size.height === original.height && bytes.length <= MAX_VISION_BYTES
}

/** PNG stays PNG (charts, screenshots) unless that is still too big, which only photographs are: those go as JPEG. */
async function encodeScaled(raster: Raster, original: { width: number; height: number }, preferred: PreparedImage['mediaType']): Promise<PreparedImage> {
  const base = { width: raster.width, height: raster.height, original, scaled: true }
  if (preferred === 'image/png') {
    const png = await encodePng(raster)
    if (png.length <= MAX_VISION_BYTES) return { ...base, bytes: png, mediaType: 'image/png' }
  }
  const rgba = new Uint8Array(raster.width * raster.height * 4)
  for (let i = 0, s = 0, o = 0; i < raster.width * raster.height; i++, s += 3, o += 4) {
    rgba[o] = raster.data[s]!
    rgba[o + 1] = raster.data[s + 1]!
    rgba[o + 2] = raster.data[s + 2]!
    rgba[o + 3] = 255
  }
  const jpeg = encodeJpeg({ width: raster.width, height: raster.height, data: rgba }, JPEG_QUALITY).data
  return { ...base, bytes: new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength), mediaType: 'image/jpeg' }
}
