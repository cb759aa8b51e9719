/**
 * @module Token accounting per model role. A completion reports the reasoning model's tokens as
 * `usage` and the vision and speech models' as `perception_usage`, in OpenAI's shape.
 */
import { MODEL_ROLES, type ModelRole } from '../config'

export type RoleUsage = {
  /** Model calls that answered (retried attempts that failed are not counted). */
  calls: number
  inputTokens: number
  outputTokens: number
  /** Seconds of audio transcribed (speech models report time, not tokens). */
  audioSeconds: number
}

/** What one call reports; a provider that says nothing about tokens leaves them out. */
export type CallUsage = { inputTokens?: number | undefined; outputTokens?: number | undefined; audioSeconds?: number | undefined }

/** Where adapters report each call. */
export type UsageSink = (role: ModelRole, usage: CallUsage) => void

export type OpenAiUsage = { prompt_tokens: number; completion_tokens: number; total_tokens: number }

const count = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0)

export class UsageMeter {
  private readonly byRole = new Map<ModelRole, RoleUsage>()

  /** Bound, so it can be handed around as a `UsageSink`. */
  readonly record: UsageSink = (role, usage) => {
    const current = this.role(role)
    this.byRole.set(role, {
      calls: current.calls + 1,
      inputTokens: current.inputTokens + count(usage.inputTokens),
      outputTokens: current.outputTokens + count(usage.outputTokens),
      audioSeconds: current.audioSeconds + count(usage.audioSeconds),
    })
  }

  role(role: ModelRole): RoleUsage {
    return this.byRole.get(role) ?? { calls: 0, inputTokens: 0, outputTokens: 0, audioSeconds: 0 }
  }

  /** Every role, zeros included. */
  snapshot(): Record<ModelRole, RoleUsage> {
    return Object.fromEntries(MODEL_ROLES.map((role) => [role, this.role(role)])) as Record<ModelRole, RoleUsage>
  }

  /** The completion's `usage`: the reasoning model's tokens. */
  usage(): OpenAiUsage {
    return toOpenAiUsage([this.role('reasoning')])
  }

  /** The completion's `perception_usage`: the vision and speech models' tokens together. */
  perceptionUsage(): OpenAiUsage {
    return toOpenAiUsage([this.role('vision'), this.role('speech')])
  }
}

export function toOpenAiUsage(roles: readonly RoleUsage[]): OpenAiUsage {
  const prompt = roles.reduce((n, r) => n + r.inputTokens, 0)
  const completion = roles.reduce((n, r) => n + r.outputTokens, 0)
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion }
}

/** Reports to every sink given; no sinks, no cost. */
export function fanOut(...sinks: ReadonlyArray<UsageSink | undefined>): UsageSink {
  const live = sinks.filter((s): s is UsageSink => s !== undefined)
  return (role, usage) => {
    for (const sink of live) sink(role, usage)
  }
}
