/**
 * @module What perception spent on a file, kept on its row: the vision and speech models' tokens
 * (and seconds of audio), added once each message's model calls are done — failed ones included,
 * since they were spent too — in one UPDATE, so parts finishing together never lose each other's.
 */
import type { UsageMeter } from '../../models/usage'

export async function addPerceptionUsage(d1: D1Database, fileId: string, meter: UsageMeter): Promise<void> {
  const vision = meter.role('vision')
  const speech = meter.role('speech')
  const prompt = vision.inputTokens + speech.inputTokens
  const completion = vision.outputTokens + speech.outputTokens
  const seconds = speech.audioSeconds
  if (prompt === 0 && completion === 0 && seconds === 0) return
  await d1
    .prepare(
      `UPDATE files SET perception_prompt_tokens = perception_prompt_tokens + ?2,
         perception_completion_tokens = perception_completion_tokens + ?3,
         perception_audio_seconds = perception_audio_seconds + ?4
       WHERE id = ?1`,
    )
    .bind(fileId, prompt, completion, seconds)
    .run()
}
