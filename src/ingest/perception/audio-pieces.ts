/**
 * @module Cutting a recording too large for one speech-model call into pieces that each play on
 * their own: a WAV at sample-block boundaries (each piece gets the original's format chunk and its
 * own RIFF and data headers), an MP3 at frame boundaries (frames decode independently; the
 * bit reservoir may cost a few milliseconds of sound at a cut). Each piece knows where it starts
 * in the whole recording, so transcript times stay true. MP3 pieces are views of the upload, not
 * copies: a 100 MB recording is split without a second 100 MB in memory.
 */
import { DamagedFileError } from '../errors'

export type AudioPiece = {
  bytes: Uint8Array
  /** Where the piece starts in the whole recording, in seconds. */
  startSeconds: number
}

/** The recording as pieces of at most `maxBytes` each, in order; one piece (the upload itself) when it fits. */
export function audioPieces(bytes: Uint8Array, kind: 'wav' | 'mp3', maxBytes: number): AudioPiece[] {
  if (bytes.length <= maxBytes) return [{ bytes, startSeconds: 0 }]
  return kind === 'wav' ? wavPieces(bytes, maxBytes) : mp3Pieces(bytes, maxBytes)
}

const ascii = (bytes: Uint8Array, at: number, length: number) => String.fromCharCode(...bytes.subarray(at, at + length))

function wavPieces(bytes: Uint8Array, maxBytes: number): AudioPiece[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 12 || ascii(bytes, 0, 4) !== 'RIFF' || ascii(bytes, 8, 4) !== 'WAVE') throw new DamagedFileError('the WAV recording has no RIFF/WAVE header')
  let fmt: Uint8Array | null = null
  let data: { at: number; size: number } | null = null
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = ascii(bytes, at, 4)
    const size = view.getUint32(at + 4, true)
    if (id === 'fmt ') fmt = bytes.subarray(at, at + 8 + size)
    if (id === 'data') {
      data = { at: at + 8, size: Math.min(size, bytes.length - at - 8) }
      break
    }
    at += 8 + size + (size % 2)
  }
  if (!fmt || fmt.length < 24 || !data) throw new DamagedFileError('the WAV recording has no format or data chunk')
  const format = new DataView(fmt.buffer, fmt.byteOffset, fmt.byteLength)
  const byteRate = format.getUint32(16, true)
  const blockAlign = format.getUint16(20, true)
  if (!byteRate || !blockAlign) throw new DamagedFileError('the WAV recording states no byte rate')
  const headerBytes = 12 + fmt.length + 8
  const perPiece = Math.max(blockAlign, Math.floor((maxBytes - headerBytes) / blockAlign) * blockAlign)
  const pieces: AudioPiece[] = []
  for (let offset = 0; offset < data.size; offset += perPiece) {
    const samples = bytes.subarray(data.at + offset, data.at + Math.min(data.size, offset + perPiece))
    const piece = new Uint8Array(headerBytes + samples.length)
    const out = new DataView(piece.buffer)
    piece.set([0x52, 0x49, 0x46, 0x46], 0) // RIFF
    out.setUint32(4, piece.length - 8, true)
    piece.set([0x57, 0x41, 0x56, 0x45], 8) // WAVE
    piece.set(fmt, 12)
    piece.set([0x64, 0x61, 0x74, 0x61], 12 + fmt.length) // data
    out.setUint32(16 + fmt.length, samples.length, true)
    piece.set(samples, headerBytes)
    pieces.push({ bytes: piece, startSeconds: offset / byteRate })
  }
  return pieces
}

/** Kilobits per second by bitrate index: MPEG-1 Layer III, then MPEG-2/2.5 Layer III. */
const BITRATES = {
  1: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  2: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
} as const
const SAMPLE_RATES = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] } as const

/** The Layer III frame at `at`, or null when no valid frame header is there. */
function mp3Frame(bytes: Uint8Array, at: number): { length: number; seconds: number } | null {
  if (at + 4 > bytes.length || bytes[at] !== 0xff || (bytes[at + 1]! & 0xe0) !== 0xe0) return null
  const versionBits = (bytes[at + 1]! >> 3) & 3
  const layerBits = (bytes[at + 1]! >> 1) & 3
  const bitrateIndex = bytes[at + 2]! >> 4
  const rateIndex = (bytes[at + 2]! >> 2) & 3
  if (versionBits === 1 || layerBits !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return null
  const version = versionBits === 3 ? 1 : versionBits === 2 ? 2 : 2.5
  const kbps = BITRATES[version === 1 ? 1 : 2][bitrateIndex]!
  const sampleRate = SAMPLE_RATES[version][rateIndex]!
  const samples = version === 1 ? 1152 : 576
  const padding = (bytes[at + 2]! >> 1) & 1
  return { length: Math.floor(((samples / 8) * kbps * 1000) / sampleRate) + padding, seconds: samples / sampleRate }
}

function mp3Pieces(bytes: Uint8Array, maxBytes: number): AudioPiece[] {
  // An ID3v2 tag (title, cover art) comes first: its size is four 7-bit bytes.
  let at = 0
  if (ascii(bytes, 0, 3) === 'ID3' && bytes.length >= 10) at = 10 + (((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f))
  const pieces: AudioPiece[] = []
  let pieceStart = at
  let pieceSeconds = 0
  let seconds = 0
  let frames = 0
  while (at < bytes.length) {
    const frame = mp3Frame(bytes, at)
    if (!frame) {
      // Junk between frames (or a trailing ID3v1 tag): step to the next sync.
      at++
      continue
    }
    if (at + frame.length - pieceStart > maxBytes && at > pieceStart) {
      pieces.push({ bytes: bytes.subarray(pieceStart, at), startSeconds: pieceSeconds })
      pieceStart = at
      pieceSeconds = seconds
    }
    seconds += frame.seconds
    at += frame.length
    frames++
  }
  if (frames === 0) throw new DamagedFileError('no MP3 audio frames were found in the recording')
  pieces.push({ bytes: bytes.subarray(pieceStart, Math.min(at, bytes.length)), startSeconds: pieceSeconds })
  return pieces
}
