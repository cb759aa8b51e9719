/**
 * @module What perception spent on a file, kept on its row: the vision and speech models' tokens
 * (and seconds of audio), added once each message's model calls are done — failed ones included,
 * since they were spent too — in one UPDATE (files/lifecycle.ts), so parts finishing together never lose each other's.
 */
import { addPerceptionSpend } from '../../files/lifecycle'
import type { UsageMeter } from '../../models/usage'

export async function addPerceptionUsage(d1: D1Database, fileId: string, meter: UsageMeter): Promise<void> {
  const vision = meter.role('vision')
  const speech = meter.role('speech')
  const prompt = vision.inputTokens + speech.inputTokens
  const completion = vision.outputTokens + speech.outputTokens
  const seconds = speech.audioSeconds
  if (prompt === 0 && completion === 0 && seconds === 0) return
  await addPerceptionSpend(d1, fileId, { promptTokens: prompt, completionTokens: completion, audioSeconds: seconds })
}
