/**
 * The pure parts of perception: PNG writing and reading (round trips, averaging down, damage named),
 * EXIF orientation, render and vision sizes, which pages a vision model gets first, and transcript passages.
 */
import { describe, expect, it } from 'vitest'
import { passages } from '../../src/ingest/perception/audio-file'
import { boxScale } from '../../src/ingest/perception/box-scale'
import { jpegOrientation, orient, type Orientation } from '../../src/ingest/perception/exif-orientation'
import { prepareImage, visionSize } from '../../src/ingest/perception/image-prep'
import { decodeJpeg, readJpegHeader } from '../../src/ingest/perception/jpeg-decode'
import { MAX_RENDER_SIDE, renderSize } from '../../src/ingest/perception/page-render'
import { visionCandidates } from '../../src/ingest/perception/page-selection'
import { decodePng, readPngHeader } from '../../src/ingest/perception/png-decode'
import { encodePng, encodePngScanlines, type Raster } from '../../src/ingest/perception/png-encode'
import { pageRenderKey, renderPrefix } from '../../src/ingest/perception/render-keys'
import { fixtureBytes } from './fixtures'

describe('PNG', () => {
  it('round-trips grey, RGB and RGBA rasters (alpha laid over white)', async () => {
    const rgb = Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30)
    expect(decodePng(await encodePng({ width: 2, height: 2, channels: 3, data: rgb }), { width: 2, height: 2 })!.data).toEqual(rgb)
    const grey = Uint8Array.of(0, 64, 128, 255)
    expect(decodePng(await encodePng({ width: 4, height: 1, channels: 1, data: grey }), { width: 4, height: 1 })!.data).toEqual(Uint8Array.of(0, 0, 0, 64, 64, 64, 128, 128, 128, 255, 255, 255))
    const rgba = Uint8Array.of(0, 0, 0, 255, 0, 0, 0, 0)
    expect(decodePng(await encodePng({ width: 2, height: 1, channels: 4, data: rgba }), { width: 2, height: 1 })!.data).toEqual(Uint8Array.of(0, 0, 0, 255, 255, 255))
  })

  it('writes colourless scanlines as greyscale, coloured ones as RGB', async () => {
    const rows = (pixels: number[]) => Uint8Array.of(0, ...pixels)
    expect((await encodePngScanlines(2, 1, rows([9, 9, 9, 200, 200, 200])))[25]).toBe(0)
    expect((await encodePngScanlines(2, 1, rows([9, 9, 9, 200, 0, 200])))[25]).toBe(2)
    expect(decodePng(await encodePngScanlines(2, 1, rows([9, 9, 9, 200, 200, 200])), { width: 2, height: 1 })!.data).toEqual(Uint8Array.of(9, 9, 9, 200, 200, 200))
  })

  it('averages down: each target pixel is the mean of the source pixels in it', async () => {
    const data = Uint8Array.of(0, 0, 0, 100, 100, 100, 200, 200, 200, 50, 50, 50)
    const png = await encodePng({ width: 4, height: 1, channels: 3, data })
    expect(decodePng(png, { width: 2, height: 1 })!.data).toEqual(Uint8Array.of(50, 50, 50, 125, 125, 125))
    expect(boxScale({ width: 4, height: 1, channels: 3, data }, { width: 2, height: 1 }).data).toEqual(Uint8Array.of(50, 50, 50, 125, 125, 125))
  })

  it('reads a real PNG in full and names damage', async () => {
    const bill = await fixtureBytes('samples/image/bill.png')
    expect(readPngHeader(bill)).toEqual({ width: 957, height: 307, bitDepth: 8, colorType: 6, interlaced: false })
    expect(decodePng(bill)).toBeNull()
    expect(() => decodePng(bill.slice(0, bill.length - 100))).toThrow(/^the PNG image is damaged: it is cut off before its end$/)
    const flipped = bill.slice()
    flipped[100] = flipped[100]! ^ 0xff
    expect(() => decodePng(flipped)).toThrow(/^the PNG image is damaged: its \w+ chunk is corrupt$/)
  })
})

describe('JPEG headers', () => {
  it('give the frame size, and name a file cut short', async () => {
    const jpeg = await fixtureBytes('samples/image/qr_bill_example.jpg')
    expect(readJpegHeader(jpeg)).toMatchObject({ width: 1021, height: 1423, components: 3 })
    expect(() => readJpegHeader(jpeg.slice(0, jpeg.length / 2))).toThrow(/^the JPEG image is damaged: it is cut off before its end$/)
    expect(() => readJpegHeader(jpeg.slice(0, 300))).toThrow(/^the JPEG image is damaged: /)
  })
})

describe('EXIF orientation', () => {
  // A 3×2 RGB raster whose pixel at stored (x, y) has red = 10·y + x, so every move is visible.
  const stored = { width: 3, height: 2, channels: 3 as const, data: Uint8Array.from({ length: 18 }, (_, i) => (i % 3 === 0 ? 10 * Math.floor(i / 9) + ((i / 3) % 3) : 0)) }
  const reds = (r: { width: number; height: number; data: Uint8Array }) =>
    Array.from({ length: r.height }, (_, y) => Array.from({ length: r.width }, (_, x) => r.data[(y * r.width + x) * 3]))

  it('turns and mirrors pixels as each of the eight orientations asks', () => {
    expect(reds(stored)).toEqual([[0, 1, 2], [10, 11, 12]])
    const viewed: Record<Orientation, number[][]> = {
      1: [[0, 1, 2], [10, 11, 12]],
      2: [[2, 1, 0], [12, 11, 10]],
      3: [[12, 11, 10], [2, 1, 0]],
      4: [[10, 11, 12], [0, 1, 2]],
      5: [[0, 10], [1, 11], [2, 12]],
      6: [[10, 0], [11, 1], [12, 2]],
      7: [[12, 2], [11, 1], [10, 0]],
      8: [[2, 12], [1, 11], [0, 10]],
    }
    for (const [o, expected] of Object.entries(viewed)) expect(reds(orient(stored, Number(o) as Orientation)), `orientation ${o}`).toEqual(expected)
  })

  it('a phone photo stored on its side reaches the model upright, the same picture as its PNG twin', async () => {
    const jpeg = await fixtureBytes('samples/image/simple-90.jpg')
    expect(readJpegHeader(jpeg)).toMatchObject({ width: 180, height: 320 })
    expect(await jpegOrientation(jpeg)).toBe(6)
    const prepared = await prepareImage(jpeg, 'jpeg')
    expect(prepared).toMatchObject({ mediaType: 'image/jpeg', width: 320, height: 180, original: { width: 320, height: 180 }, scaled: false })
    // Darkness per row, upright JPEG against the PNG of the same text: the same profile.
    const png = decodePng(await fixtureBytes('samples/image/simple.png'), { width: 320, height: 180 })
    const sent = await prepareImage(prepared.bytes, 'jpeg')
    expect(await jpegOrientation(prepared.bytes)).toBe(1)
    const profile = (r: Raster) => Array.from({ length: r.height }, (_, y) => {
      let sum = 0
      for (let x = 0; x < r.width; x++) sum += r.data[(y * r.width + x) * r.channels]!
      return sum / r.width
    })
    const upright = decodeJpeg(sent.bytes, readJpegHeader(sent.bytes))
    expect(correlation(profile(upright), profile(png!))).toBeGreaterThan(0.9)
    // Read as stored (no turn), the profile would not match: the check can fail.
    const sideways = boxScale(decodeJpeg(jpeg, readJpegHeader(jpeg)), { width: 180, height: 180 })
    expect(correlation(profile(sideways), profile(png!))).toBeLessThan(0.5)
  })

  it('no EXIF, or EXIF without the tag, is as stored', async () => {
    expect(await jpegOrientation(await fixtureBytes('samples/image/testocr.jpg'))).toBe(1)
    expect(await jpegOrientation(await fixtureBytes('hostile/image/exif-dpi-zerodivision.jpg'))).toBe(1)
    expect(await jpegOrientation(new Uint8Array([0xff, 0xd8, 0xff, 0xe1, 0x00, 0x08, 0x45, 0x78]))).toBe(1)
  })
})

function correlation(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length)
  const mean = (v: number[]) => v.slice(0, n).reduce((s, x) => s + x, 0) / n
  const [ma, mb] = [mean(a), mean(b)]
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb)
    aa += (a[i]! - ma) ** 2
    bb += (b[i]! - mb) ** 2
  }
  return ab / Math.sqrt(aa * bb)
}

describe('sizes', () => {
  it('renders a Letter page at 72 dpi as 612×792, and caps the long side at 144 dpi', () => {
    expect(renderSize(612, 792, 72)).toEqual({ width: 612, height: 792, dpi: 72 })
    const detailed = renderSize(612, 792, 144)
    expect(detailed.height).toBe(MAX_RENDER_SIDE)
    expect(detailed.width).toBe(Math.round((612 * detailed.dpi) / 72))
    expect(renderSize(2384, 3370, 72).height).toBe(MAX_RENDER_SIDE)
  })

  it('sends images at most 1,568 px on the long side, keeping their shape', () => {
    expect(visionSize(10973, 3570)).toEqual({ width: 1568, height: 510 })
    expect(visionSize(640, 480)).toEqual({ width: 640, height: 480 })
  })

  it('keys renders by zero-padded page under the file prefix', () => {
    expect(pageRenderKey('file-a', 3)).toBe('renders/file-a/page-00003.png')
    expect(pageRenderKey('file-a', 3).startsWith(renderPrefix('file-a'))).toBe(true)
    expect(pageRenderKey('file-a', 10) > pageRenderKey('file-a', 9)).toBe(true)
  })
})

describe('which pages a vision model reads first', () => {
  it('textless pages (either extractor) before figure pages, each in page order', () => {
    const pages = [
      { page: 1, textless: false, figure: true },
      { page: 2, textless: true, figure: false },
      { page: 3, textless: false, figure: false },
      { page: 4, textless: false, figure: true },
    ]
    expect(visionCandidates(pages, [3])).toEqual([
      { page: 2, reason: 'scan' },
      { page: 3, reason: 'scan' },
      { page: 1, reason: 'figure' },
      { page: 4, reason: 'figure' },
    ])
    // For a reader of text only (OCR), a text page's figure would only repeat words already indexed.
    expect(visionCandidates(pages, [3], { scansOnly: true })).toEqual([
      { page: 2, reason: 'scan' },
      { page: 3, reason: 'scan' },
    ])
  })
})

describe('transcript passages', () => {
  it('group segments up to a minute, keeping their times and offsets', () => {
    const out = passages([
      { start: 0, end: 20, text: 'one' },
      { start: 20, end: 50, text: 'two' },
      { start: 50, end: 70, text: 'three' },
    ])
    expect(out.map((s) => [s.text, s.provenance.startTime, s.provenance.endTime, s.charStart, s.charEnd])).toEqual([
      ['one two', 0, 50, 0, 7],
      ['three', 50, 70, 9, 14],
    ])
    for (const s of out) expect(s.provenance.modality).toBe('audio')
  })
})
