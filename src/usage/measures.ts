/**
 * @module What usage counts: the measures of a `usage_daily` row, named once in the words the API
 * answers with (which are also the table's columns), and a model run's meter turned into them.
 */
import type { UsageMeter } from '../models/usage'

/** Every measure, in the order reports list them. */
export const MEASURES = [
  'completions',
  'reasoning_calls',
  'reasoning_input_tokens',
  'reasoning_output_tokens',
  'perception_calls',
  'perception_input_tokens',
  'perception_output_tokens',
  'audio_seconds',
  'embedding_calls',
  'embedding_input_tokens',
  'rerank_calls',
  'files_ingested',
  'pages_ingested',
  'bytes_ingested',
] as const

export type Measure = (typeof MEASURES)[number]
export type Measures = Record<Measure, number>

export const noUsage = (): Measures => Object.fromEntries(MEASURES.map((m) => [m, 0])) as Measures

/**
 * What a meter's model calls spent, per role: the reasoning model's tokens; vision and speech
 * together as perception (tokens, and seconds of audio); the embedding model's input tokens; rerank calls.
 */
export function meterMeasures(meter: UsageMeter): Partial<Measures> {
  const { reasoning, vision, speech, embedding, rerank } = meter.snapshot()
  return {
    reasoning_calls: reasoning.calls,
    reasoning_input_tokens: reasoning.inputTokens,
    reasoning_output_tokens: reasoning.outputTokens,
    perception_calls: vision.calls + speech.calls,
    perception_input_tokens: vision.inputTokens + speech.inputTokens,
    perception_output_tokens: vision.outputTokens + speech.outputTokens,
    audio_seconds: speech.audioSeconds,
    embedding_calls: embedding.calls,
    embedding_input_tokens: embedding.inputTokens,
    rerank_calls: rerank.calls,
  }
}
