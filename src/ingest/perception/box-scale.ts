/**
 * @module Scaling an RGB raster down by averaging (a box filter): each target pixel is the mean of
 * the source pixels that fall in it, which keeps thin lines and small text readable.
 */
import type { Raster } from './png-encode'

/** @example boxScale({ width: 4, height: 2, channels: 3, data }, { width: 2, height: 1 }) */
export function boxScale(source: Raster, target: { width: number; height: number }): Raster {
  if (source.channels !== 3) throw new RangeError('boxScale takes RGB rasters')
  const { width, height, data } = source
  const sums = new Uint32Array(target.width * 3)
  const counts = new Uint32Array(target.width)
  const out = new Uint8Array(target.width * target.height * 3)
  const cellX = new Uint32Array(width)
  for (let x = 0; x < width; x++) cellX[x] = Math.min(target.width - 1, Math.floor((x * target.width) / width))
  let y = 0
  for (let ty = 0; ty < target.height; ty++) {
    const end = ty === target.height - 1 ? height : Math.floor(((ty + 1) * height) / target.height)
    sums.fill(0)
    counts.fill(0)
    for (; y < end; y++) {
      for (let x = 0, s = y * width * 3; x < width; x++, s += 3) {
        const c = cellX[x]!
        sums[c * 3] = sums[c * 3]! + data[s]!
        sums[c * 3 + 1] = sums[c * 3 + 1]! + data[s + 1]!
        sums[c * 3 + 2] = sums[c * 3 + 2]! + data[s + 2]!
        counts[c] = counts[c]! + 1
      }
    }
    for (let c = 0, o = ty * target.width * 3; c < target.width; c++, o += 3) {
      const n = counts[c] || 1
      out[o] = Math.round(sums[c * 3]! / n)
      out[o + 1] = Math.round(sums[c * 3 + 1]! / n)
      out[o + 2] = Math.round(sums[c * 3 + 2]! / n)
    }
  }
  return { width: target.width, height: target.height, channels: 3, data: out }
}
