/**
 * The pure parts of perception: PNG writing and reading (round trips, averaging down, damage named),
 * render and vision sizes, which pages a vision model gets first, and transcript passages.
 */
import { describe, expect, it } from 'vitest'
import { passages } from '../../src/ingest/perception/audio-file'
import { boxScale } from '../../src/ingest/perception/box-scale'
import { visionSize } from '../../src/ingest/perception/image-prep'
import { readJpegHeader } from '../../src/ingest/perception/jpeg-decode'
import { MAX_RENDER_SIDE, renderSize } from '../../src/ingest/perception/page-render'
import { visionCandidates } from '../../src/ingest/perception/page-selection'
import { decodePng, readPngHeader } from '../../src/ingest/perception/png-decode'
import { encodePng, encodePngScanlines } from '../../src/ingest/perception/png-encode'
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
