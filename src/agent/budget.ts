/**
 * @module How far a run may go, by `reasoning_effort`: research rounds (model steps that may call
 * tools), passages per search, passages the run may hold, reasoning tokens, and time. `medium` is
 * the default, as in OpenAI's API.
 */
import type { Effort } from './run-types'

export type Budget = {
  /** Model steps in the research phase; each may run several tools at once. */
  rounds: number
  /** Passages one search returns. */
  searchTopK: number
  /** Passages the run may hold in its evidence book (and so show the model). */
  evidence: number
  /** Reasoning tokens (in and out) after which research stops and the answer is written. */
  tokens: number
  /** Output tokens of the answer, unless the request says (max_tokens / max_completion_tokens). */
  answerTokens: number
}

export const BUDGETS: Record<Effort, Budget> = {
  low: { rounds: 2, searchTopK: 6, evidence: 16, tokens: 16_000, answerTokens: 1_200 },
  medium: { rounds: 4, searchTopK: 8, evidence: 32, tokens: 48_000, answerTokens: 2_000 },
  high: { rounds: 8, searchTopK: 10, evidence: 60, tokens: 120_000, answerTokens: 4_000 },
}

/**
 * The whole run's wall time. A Durable Object alarm may run 15 minutes; a person waiting for an
 * answer will not, so research gets most of this and the answer what is left.
 */
export const RUN_TIME_LIMIT_MS = 240_000
/** Research ends at this share of the run's time, so the answer always has time to be written. */
export const RESEARCH_SHARE = 0.6
