/**
 * @module What this isolate last learned about whether a role's model answers: search skips a model that
 * failed moments ago instead of waiting out its retries on every question, and `/health` reports the
 * state with a cheap probe at most every `STATUS_TTL_MS`, so polling it stays fast.
 */
import type { ModelRole } from '../config'

/** How long an answer (or a failure) stands for the model's state. */
export const STATUS_TTL_MS = 30_000
/** A probe is one tiny call; a model that cannot answer it in this time is not fit to serve a search. */
export const PROBE_TIMEOUT_MS = 2_000

export type ModelStatus = { ok: boolean; detail: string | null; at: number }

// Per isolate: Models are built once per isolate, and a model's id names it within one configuration.
const seen = new Map<string, ModelStatus>()
const probing = new Map<string, Promise<ModelStatus>>()
const key = (role: ModelRole, modelId: string) => `${role}\u0000${modelId}`

export function noteAnswer(role: ModelRole, modelId: string, now = Date.now()): void {
  seen.set(key(role, modelId), { ok: true, detail: null, at: now })
}

export function noteFailure(role: ModelRole, modelId: string, error: unknown, now = Date.now()): void {
  seen.set(key(role, modelId), { ok: false, detail: error instanceof Error ? error.message : String(error), at: now })
}

/** The state learned within the last `STATUS_TTL_MS`, or null when nothing recent is known. */
export function recentStatus(role: ModelRole, modelId: string, now = Date.now()): ModelStatus | null {
  const status = seen.get(key(role, modelId))
  return status && now - status.at < STATUS_TTL_MS ? status : null
}

/** Whether the model failed within the last `STATUS_TTL_MS` (and has not answered since). */
export function recentlyFailed(role: ModelRole, modelId: string, now = Date.now()): boolean {
  return recentStatus(role, modelId, now)?.ok === false
}

/**
 * The model's recent state, or, when none is known, the outcome of `call` given `PROBE_TIMEOUT_MS`.
 * Concurrent callers share one probe.
 * @example
 * const status = await probeModel('embedding', embedder.modelId, (signal) => embedder.embed(['ping'], { signal }))
 */
export function probeModel(role: ModelRole, modelId: string, call: (signal: AbortSignal) => Promise<unknown>): Promise<ModelStatus> {
  const known = recentStatus(role, modelId)
  if (known) return Promise.resolve(known)
  const k = key(role, modelId)
  const running = probing.get(k)
  if (running) return running
  const probe = call(AbortSignal.timeout(PROBE_TIMEOUT_MS))
    .then(() => noteAnswer(role, modelId))
    // The probe's own deadline says more than "The operation was aborted" would.
    .catch((error: unknown) => noteFailure(role, modelId, isTimeout(error) ? `no answer within ${PROBE_TIMEOUT_MS} ms` : error))
    .then(() => seen.get(k)!)
    .finally(() => probing.delete(k))
  probing.set(k, probe)
  return probe
}

/** `AbortSignal.timeout`'s reason: a DOMException, which is not an `Error` everywhere. */
export const isTimeout = (error: unknown) => typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TimeoutError'
