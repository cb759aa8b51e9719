/**
 * @module A photo's EXIF orientation, applied to its pixels. Phones store a picture as the sensor saw
 * it and record how to turn it for viewing (tag 0x0112); a vision model given the pixels without the
 * tag — once Cairn has scaled or re-encoded them — would read a receipt on its side. The tag is read
 * with `exifr`; turning the pixels is a fixed index mapping per orientation.
 */
// The mini build reads orientation and the common tags; its deep path has no type declarations.
// @ts-expect-error no types for the deep import
import * as exifr from 'exifr/dist/mini.esm.mjs'
import type { Raster } from './png-encode'

/** EXIF orientations: 1 as stored; 2–8 mirrored and/or turned (see `orient`). */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8

/** The orientation a JPEG asks for; 1 when it has none or its EXIF cannot be read. */
export async function jpegOrientation(bytes: Uint8Array): Promise<Orientation> {
  try {
    const value: unknown = await (exifr as { orientation(data: Uint8Array): Promise<number | undefined> }).orientation(bytes)
    return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 8 ? (value as Orientation) : 1
  } catch {
    // Damaged EXIF does not make the picture unreadable: show it as stored.
    return 1
  }
}

/**
 * The raster as it should be viewed. Orientations 5–8 swap width and height.
 * @example orient({ width: 2, height: 1, channels: 1, data: Uint8Array.of(1, 2) }, 6) // 1×2, data [1, 2]
 */
export function orient(raster: Raster, orientation: Orientation): Raster {
  if (orientation === 1) return raster
  const { width: w, height: h, channels: c, data } = raster
  const turned = orientation >= 5
  const width = turned ? h : w
  const height = turned ? w : h
  // Where the viewed pixel (x, y) is stored.
  const source: (x: number, y: number) => number = {
    2: (x: number, y: number) => y * w + (w - 1 - x),
    3: (x: number, y: number) => (h - 1 - y) * w + (w - 1 - x),
    4: (x: number, y: number) => (h - 1 - y) * w + x,
    5: (x: number, y: number) => x * w + y,
    6: (x: number, y: number) => (h - 1 - x) * w + y,
    7: (x: number, y: number) => (h - 1 - x) * w + (w - 1 - y),
    8: (x: number, y: number) => x * w + (w - 1 - y),
  }[orientation]
  const out = new Uint8Array(data.length)
  for (let y = 0, o = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += c) {
      const s = source(x, y) * c
      for (let k = 0; k < c; k++) out[o + k] = data[s + k]!
    }
  }
  return { width, height, channels: c, data: out }
}
