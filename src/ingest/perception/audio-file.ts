/**
 * @module An uploaded recording (WAV, MP3) transcribed by the speech model, with segment times.
 * Consecutive transcript segments are grouped into passages of about a minute, so a chunk holds
 * enough words to be found and still cites a narrow time range (start_time, end_time). Silence is
 * a processed file with a sentence, not an error.
 */
import type { SpeechToText, TranscriptSegment } from '../../models/ports'
import { LimitExceededError } from '../errors'
import { formatBytes } from '../limits'
import type { Segment } from '../segment'
import type { Perceived } from './image-file'

/** OpenAI's transcription endpoint takes 25 MB; Workers AI's Whisper does not state a limit. */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024
/** A passage ends once it spans this long or holds this much text, whichever comes first. */
const PASSAGE_SECONDS = 60
const PASSAGE_CHARS = 1200

export const NO_SPEECH_MODEL =
  'Not indexed: a recording needs a speech model to be read, and none is configured (set MODEL_PROVIDER and SPEECH_MODEL).'

const MEDIA_TYPES = { wav: 'audio/wav', mp3: 'audio/mpeg' } as const

export async function perceiveAudio(speech: SpeechToText | null, bytes: Uint8Array, kind: 'wav' | 'mp3'): Promise<Perceived> {
  if (!speech) return { segments: [], note: NO_SPEECH_MODEL }
  if (bytes.length > MAX_AUDIO_BYTES) {
    throw new LimitExceededError(`the recording is ${formatBytes(bytes.length)}, more than the ${formatBytes(MAX_AUDIO_BYTES)} Cairn sends to a speech model; split it and upload the parts`)
  }
  const transcript = await speech.transcribe({ audio: bytes, mediaType: MEDIA_TYPES[kind] })
  const timed = transcript.segments.filter((s) => s.text.trim())
  const spans: TranscriptSegment[] =
    timed.length > 0 ? timed : transcript.text.trim() ? [{ start: 0, end: transcript.durationSeconds ?? 0, text: transcript.text }] : []
  if (spans.length === 0) return { segments: [], note: 'No speech was found in this recording.' }
  return { segments: passages(spans), note: null }
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
