/**
 * @module An uploaded recording (WAV, MP3) transcribed by the speech model, with segment times.
 * A recording larger than one call may carry is transcribed in pieces (`audio-pieces.ts`), one after
 * another, their times shifted to where each piece starts. Consecutive transcript segments are
 * grouped into passages of about a minute, so a chunk holds enough words to be found and still
 * cites a narrow time range (start_time, end_time). Silence is a processed file with a sentence,
 * not an error.
 */
import type { SpeechToText, Transcript, TranscriptSegment } from '../../models/ports'
import type { Segment } from '../segment'
import { LimitExceededError } from '../errors'
import { DEFAULT_LIMITS } from '../limits'
import { audioPieces } from './audio-pieces'
import type { Perceived } from './image-file'

/** OpenAI's transcription endpoint takes 25 MB a file (Workers AI's Whisper states no limit): pieces stay under it. */
export const MAX_AUDIO_PIECE_BYTES = 24 * 1024 * 1024
/** A passage ends once it spans this long or holds this much text, whichever comes first. */
const PASSAGE_SECONDS = 60
const PASSAGE_CHARS = 1200

export const NO_SPEECH_MODEL =
  'Not indexed: a recording needs a speech model to be read, and none is configured (set MODEL_PROVIDER and SPEECH_MODEL).'

const MEDIA_TYPES = { wav: 'audio/wav', mp3: 'audio/mpeg' } as const

export async function perceiveAudio(speech: SpeechToText | null, bytes: Uint8Array, kind: 'wav' | 'mp3'): Promise<Perceived> {
  if (!speech) return { segments: [], note: NO_SPEECH_MODEL }
  const spans: TranscriptSegment[] = []
  const pieces = audioPieces(bytes, kind, MAX_AUDIO_PIECE_BYTES)
  // Known before any model call: where the last piece starts (a low-bitrate upload can hold days of sound).
  const hours = DEFAULT_LIMITS.maxAudioSeconds / 3600
  if (pieces[pieces.length - 1]!.startSeconds >= DEFAULT_LIMITS.maxAudioSeconds) {
    throw new LimitExceededError(`the recording is longer than the ${hours} hours Cairn transcribes from one file; cut it into shorter recordings and upload them again`)
  }
  for (const [i, piece] of pieces.entries()) {
    const transcript = await speech.transcribe({ audio: piece.bytes, mediaType: MEDIA_TYPES[kind] })
    const end = pieces[i + 1]?.startSeconds ?? piece.startSeconds + (transcript.durationSeconds ?? 0)
    for (const span of timedSpans(transcript, end - piece.startSeconds)) {
      spans.push({ start: piece.startSeconds + span.start, end: piece.startSeconds + span.end, text: span.text })
    }
  }
  if (spans.length === 0) return { segments: [], note: 'No speech was found in this recording.' }
  return { segments: passages(spans), note: pieces.length > 1 ? `The recording was transcribed in ${pieces.length} pieces.` : null }
}

/** The transcript's segments with words, or its whole text as one segment when the model gave no times. */
function timedSpans(transcript: Transcript, pieceSeconds: number): TranscriptSegment[] {
  const timed = transcript.segments.filter((s) => s.text.trim())
  if (timed.length > 0) return timed
  return transcript.text.trim() ? [{ start: 0, end: transcript.durationSeconds ?? pieceSeconds, text: transcript.text }] : []
}

/** Transcript segments grouped into passages; offsets count through the transcript, one blank line apart. */
export function passages(spans: readonly TranscriptSegment[]): Segment[] {
  const out: Segment[] = []
  let group: TranscriptSegment[] = []
  let offset = 0
  const flush = () => {
    if (group.length === 0) return
    const text = group.map((s) => s.text.trim()).join(' ')
    out.push({
      text,
      provenance: { modality: 'audio', startTime: group[0]!.start, endTime: Math.max(...group.map((s) => s.end)) },
      charStart: offset,
      charEnd: offset + text.length,
    })
    offset += text.length + 2
    group = []
  }
  for (const span of spans) {
    const first = group[0]
    const length = group.reduce((n, s) => n + s.text.length + 1, 0)
    if (first && (span.end - first.start > PASSAGE_SECONDS || length + span.text.length > PASSAGE_CHARS)) flush()
    group.push(span)
  }
  flush()
  return out
}
