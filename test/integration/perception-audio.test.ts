/**
 * Cutting recordings too large for one speech-model call: WAV pieces that are WAV files of their
 * own, block-aligned, whose samples join back into the original; MP3 pieces cut at frame
 * boundaries, views of the upload that join back into it; each piece's start time; damage named.
 */
import { describe, expect, it } from 'vitest'
import { audioPieces } from '../../src/ingest/perception/audio-pieces'
import { DamagedFileError, LimitExceededError } from '../../src/ingest/errors'
import { perceiveAudio } from '../../src/ingest/perception/audio-file'
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
  }, 30_000)

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

describe('the recording length budget', () => {
  it('refuses a recording longer than six hours before any model call', async () => {
    // A WAV that says one byte plays one second: 25 MB of samples is 290 days of sound.
    const data = 25 * 1024 * 1024
    const wav = new Uint8Array(44 + data)
    const view = new DataView(wav.buffer)
    wav.set(new TextEncoder().encode('RIFF'), 0)
    view.setUint32(4, 36 + data, true)
    wav.set(new TextEncoder().encode('WAVEfmt '), 8)
    view.setUint32(16, 16, true)
    view.setUint16(20, 1, true) // PCM
    view.setUint16(22, 1, true) // mono
    view.setUint32(24, 1, true) // 1 sample a second
    view.setUint32(28, 1, true) // 1 byte a second
    view.setUint16(32, 1, true) // block align
    view.setUint16(34, 8, true) // 8 bits
    wav.set(new TextEncoder().encode('data'), 36)
    view.setUint32(40, data, true)
    let calls = 0
    const speech = { modelId: 'counting-speech', transcribe: async () => (calls++, { text: '', segments: [], language: null, durationSeconds: null }) }
    const err = await perceiveAudio(speech, wav, 'wav').catch((e) => e)
    expect(err).toBeInstanceOf(LimitExceededError)
    expect(err.reason).toMatch(/^the recording is longer than the 6 hours Cairn transcribes from one file; cut it/)
    expect(calls).toBe(0)
  })
})
