/**
 * @module Reading JPEGs: the marker structure is walked first (dimensions, components, a scan, an
 * end), so a cut-off or mangled file is named as such before any pixel is decoded; then jpeg-js
 * decodes it to RGB under a pixel and memory cap, since it holds the whole image at once.
 */
import { decode } from 'jpeg-js'
import { DamagedFileError, LimitExceededError } from '../errors'
import { DEFAULT_LIMITS } from '../limits'
import type { Raster } from './png-encode'

export type JpegHeader = { width: number; height: number; components: number; progressive: boolean }

/** jpeg-js keeps coefficients and pixels together (~6 bytes a pixel): 16 MP stays under ~100 MB (the budget lives in `limits.ts`). */
export const MAX_JPEG_MEGAPIXELS = DEFAULT_LIMITS.maxJpegMegapixels
const MAX_DECODE_MB = 110

const damaged = (why: string) => new DamagedFileError(`the JPEG image is damaged: ${why}`)

/** Walks the markers up to the first scan and checks the file ends with an end-of-image marker. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) throw damaged('it does not start with a JPEG marker')
  let at = 2
  let frame: JpegHeader | null = null
  for (;;) {
    // Fill bytes (0xFF runs) may precede a marker.
    while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) at++
    if (at + 4 > bytes.length) throw damaged('it is cut off before its image data')
    if (bytes[at] !== 0xff) throw damaged(`its structure breaks at byte ${at}`)
    const marker = bytes[at + 1]!
    if (marker === 0xd9) throw damaged('it ends before its image data')
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2
      continue
    }
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!
    if (length < 2 || at + 2 + length > bytes.length) throw damaged('it is cut off inside a header segment')
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
    if (isFrame) {
      if (length < 8) throw damaged('its frame header is too short')
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!
      const components = bytes[at + 9]!
      if (width === 0 || height === 0) throw damaged(`its frame header gives ${width}×${height} pixels`)
      if (![1, 3, 4].includes(components)) throw damaged(`it has ${components} colour components`)
      frame = { width, height, components, progressive: marker === 0xc2 || marker === 0xc6 || marker === 0xca || marker === 0xce }
    }
    if (marker === 0xda) {
      if (!frame) throw damaged('its image data comes before its frame header')
      break
    }
    at += 2 + length
  }
  // Writers sometimes append bytes after the end marker; a file without one anywhere near its end was cut off.
  const tail = bytes.subarray(Math.max(at, bytes.length - 4096))
  let ends = false
  for (let i = tail.length - 2; i >= 0 && !ends; i--) ends = tail[i] === 0xff && tail[i + 1] === 0xd9
  if (!ends) throw damaged('it is cut off before its end')
  return frame
}

/** Decodes the whole image to RGB (after `readJpegHeader` has vouched for its structure). */
export function decodeJpeg(bytes: Uint8Array, header: JpegHeader): Raster {
  const megapixels = (header.width * header.height) / 1e6
  if (megapixels > MAX_JPEG_MEGAPIXELS) {
    throw new LimitExceededError(
      `the JPEG image is ${header.width}×${header.height} pixels (${megapixels.toFixed(1)} megapixels), more than the ${MAX_JPEG_MEGAPIXELS} megapixels Cairn can scale down; save it smaller and upload it again`,
    )
  }
  try {
    const image = decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: true, maxResolutionInMP: MAX_JPEG_MEGAPIXELS, maxMemoryUsageInMB: MAX_DECODE_MB })
    return { width: image.width, height: image.height, channels: 3, data: image.data }
  } catch (err) {
    const detail = err instanceof Error ? err.message.split('\n')[0]! : ''
    throw damaged(`its image data cannot be decoded${/^[\w ,.:'()-]{1,120}$/.test(detail) ? ` (${detail})` : ''}`)
  }
}
