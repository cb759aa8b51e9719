/**
 * Cutting recordings too large for one speech-model call: WAV pieces that are WAV files of their
 * own, block-aligned, whose samples join back into the original; MP3 pieces cut at frame
 * boundaries, views of the upload that join back into it; each piece's start time; damage named.
 */
import { describe, expect, it } from 'vitest'
import { audioPieces } from '../../src/ingest/perception/audio-pieces'
import { DamagedFileError } from '../../src/ingest/errors'
import { fixtureBytes } from './fixtures'
import { longWav, readWav } from './perception-support'

const join = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) (out.set(p, at), (at += p.length))
  return out
}

describe('WAV pieces', () => {
  it('are WAV files of their own, block-aligned, under the size, starting where their samples start; together, the original', async () => {
    const wav = await longWav(5)
    const whole = readWav(wav)
    const pieces = audioPieces(wav, 'wav', 500_000)
    expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(wav.length / 500_000))
    // Every piece but the last is filled to within one sample block and a header of the size.
    for (const piece of pieces.slice(0, -1)) expect(piece.bytes.length).toBeGreaterThan(500_000 - 100)
    let offset = 0
    for (const piece of pieces) {
      expect(piece.bytes.length).toBeLessThanOrEqual(500_000)
      const { format, samples } = readWav(piece.bytes)
      expect(format).toEqual(whole.format)
      expect(samples.length % format.blockAlign).toBe(0)
      expect(piece.startSeconds).toBeCloseTo(offset / format.byteRate, 9)
      offset += samples.length
    }
    expect(join(pieces.map((p) => readWav(p.bytes).samples))).toEqual(whole.samples)
  })

  it('a recording that fits is one piece, the upload itself', async () => {
    const wav = await fixtureBytes('samples/audio/jfk.wav')
    const [piece, ...rest] = audioPieces(wav, 'wav', 24 * 1024 * 1024)
    expect(rest).toEqual([])
    expect(piece).toEqual({ bytes: wav, startSeconds: 0 })
  })
})

describe('MP3 pieces', () => {
  it('are cut at frame boundaries, under the size, in time order; together, the audio of the upload', async () => {
    const mp3 = await fixtureBytes('samples/audio/jfk.mp3')
    const pieces = audioPieces(mp3, 'mp3', 20_000)
    expect(pieces.length).toBeGreaterThanOrEqual(4)
    for (const [i, piece] of pieces.entries()) {
      expect(piece.bytes.length).toBeLessThanOrEqual(20_000)
      // A frame header starts every piece: 11 sync bits.
      expect(piece.bytes[0]).toBe(0xff)
      expect(piece.bytes[1]! & 0xe0).toBe(0xe0)
      if (i > 0) expect(piece.startSeconds).toBeGreaterThan(pieces[i - 1]!.startSeconds)
    }
    const joined = join(pieces.map((p) => p.bytes))
    // Whatever precedes the first frame (an ID3 tag) is left out; the rest is the upload, byte for byte.
    expect(joined).toEqual(mp3.subarray(mp3.length - joined.length))
    // jfk.mp3 is 11 seconds long: the last piece starts before its end, at the size's share of it.
    expect(pieces.at(-1)!.startSeconds).toBeLessThan(11)
    expect(pieces[1]!.startSeconds).toBeCloseTo((11 * pieces[0]!.bytes.length) / joined.length, 0)
  })

  it('a file without frames, or a WAV without its chunks, is named damaged', async () => {
    const noise = new Uint8Array(100_000).map((_, i) => (i * 7) % 251)
    expect(() => audioPieces(noise, 'mp3', 20_000)).toThrow(DamagedFileError)
    expect(() => audioPieces(noise, 'mp3', 20_000)).toThrow('no MP3 audio frames were found in the recording')
    const wav = await longWav(2)
    expect(() => audioPieces(wav.subarray(0, 30).slice(), 'wav', 10)).toThrow(/no format or data chunk|no RIFF/)
    expect(() => audioPieces(noise, 'wav', 20_000)).toThrow('the WAV recording has no RIFF/WAVE header')
  })
})
