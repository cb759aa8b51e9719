import { describe, expect, it } from 'vitest'
import { fanOut, toOpenAiUsage, UsageMeter } from './usage'

describe('UsageMeter', () => {
  it('reports reasoning as usage and vision plus speech as perception_usage', () => {
    const meter = new UsageMeter()
    meter.record('reasoning', { inputTokens: 100, outputTokens: 20 })
    meter.record('vision', { inputTokens: 50, outputTokens: 5 })
    meter.record('speech', { audioSeconds: 12.5 })
    meter.record('embedding', { inputTokens: 7 })
    expect(meter.usage()).toEqual({ prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 })
    expect(meter.perceptionUsage()).toEqual({ prompt_tokens: 50, completion_tokens: 5, total_tokens: 55 })
    expect(meter.snapshot()).toMatchObject({ speech: { calls: 1, audioSeconds: 12.5 }, embedding: { calls: 1, inputTokens: 7 }, rerank: { calls: 0 } })
  })

  it('ignores counts a provider did not give', () => {
    const meter = new UsageMeter()
    meter.record('reasoning', { inputTokens: undefined, outputTokens: Number.NaN })
    expect(meter.role('reasoning')).toEqual({ calls: 1, inputTokens: 0, outputTokens: 0, audioSeconds: 0 })
  })

  it('fans one call out to every sink', () => {
    const a = new UsageMeter()
    const b = new UsageMeter()
    fanOut(a.record, undefined, b.record)('rerank', {})
    expect([a.role('rerank').calls, b.role('rerank').calls]).toEqual([1, 1])
    expect(toOpenAiUsage([])).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })
  })
})
