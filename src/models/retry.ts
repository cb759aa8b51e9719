/**
 * @module Timeouts and retries for model calls, one policy per role. The AI SDK's own `maxRetries`
 * is set to 0 everywhere: its backoff starts at a fixed 2 s, it has no per-attempt timeout, and it
 * retries only `APICallError`s. Here every attempt gets its own deadline, 429/408/5xx, network
 * failures and timeouts are retried with jittered exponential backoff (honouring `Retry-After` up to
 * the policy's ceiling), and the final failure is a `ModelCallError`, which nothing retries again.
 */
import { APICallError } from 'ai'
import type { ModelRole } from '../config'

export type RetryPolicy = {
  /** Attempts in all, the first included. */
  attempts: number
  /** Wait before the first retry; doubled for each further one, with jitter. */
  baseDelayMs: number
  /** No wait is longer, whatever `Retry-After` asks. */
  maxDelayMs: number
  /** One attempt's deadline. For a stream, until the model starts answering (its headers arrive). */
  timeoutMs: number
}

/**
 * Ingestion retries on top of these (the queue redelivers a failed message with backoff from 10 s),
 * so in-call retries stay short; interactive roles get one fewer attempt than embedding.
 */
export const DEFAULT_POLICIES: Record<ModelRole, RetryPolicy> = {
  reasoning: { attempts: 3, baseDelayMs: 500, maxDelayMs: 8_000, timeoutMs: 60_000 },
  embedding: { attempts: 4, baseDelayMs: 500, maxDelayMs: 8_000, timeoutMs: 30_000 },
  vision: { attempts: 3, baseDelayMs: 500, maxDelayMs: 8_000, timeoutMs: 60_000 },
  speech: { attempts: 3, baseDelayMs: 1_000, maxDelayMs: 8_000, timeoutMs: 120_000 },
  rerank: { attempts: 3, baseDelayMs: 250, maxDelayMs: 4_000, timeoutMs: 15_000 },
}

export type Policies = Record<ModelRole, RetryPolicy>

export function resolvePolicies(overrides: Partial<Record<ModelRole, Partial<RetryPolicy>>> = {}): Policies {
  const out = {} as Policies
  for (const [role, policy] of Object.entries(DEFAULT_POLICIES) as Array<[ModelRole, RetryPolicy]>) out[role] = { ...policy, ...overrides[role] }
  return out
}

/** A model call that failed for good: after its retries, or at once when retrying could not help. */
export class ModelCallError extends Error {
  override readonly name = 'ModelCallError'
  /**
   * The last attempt got no answer at all: the connection was refused or lost (nothing listens at the
   * endpoint, or the server died mid-call), as opposed to an error status or a deadline passed.
   */
  readonly unreachable: boolean
  constructor(
    readonly role: ModelRole,
    readonly modelId: string,
    readonly attempts: number,
    /** Whether the last failure was of a kind that passes (rate limit, server error, timeout). */
    readonly transient: boolean,
    /** The HTTP status of the last failure, when it had one. */
    readonly status: number | null,
    detail: string,
    options?: { cause?: unknown; unreachable?: boolean },
  ) {
    super(`The ${role} model "${modelId}" failed${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${detail}`, options)
    this.unreachable = options?.unreachable ?? false
  }
}

export type RetryOptions = {
  role: ModelRole
  modelId: string
  policy: RetryPolicy
  /** The caller's signal: aborting it stops the call and any retry, and is never retried. */
  signal?: AbortSignal | undefined
  /** For tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  random?: () => number
}

class AttemptTimeout extends Error {
  override readonly name = 'AttemptTimeout'
}

/**
 * Runs `attempt` until it succeeds, fails for good or the attempts run out. Each attempt gets a
 * signal that aborts at its deadline or when the caller's does; the deadline is cleared once the
 * attempt resolves, so a stream it returned keeps flowing.
 */
export async function withRetry<T>(attempt: (signal: AbortSignal) => PromiseLike<T>, options: RetryOptions): Promise<T> {
  const { policy, signal } = options
  const sleep = options.sleep ?? abortableSleep
  const random = options.random ?? Math.random
  for (let n = 1; ; n++) {
    signal?.throwIfAborted()
    let error: unknown
    try {
      return await runAttempt(attempt, policy.timeoutMs, signal)
    } catch (err) {
      error = err
    }
    if (signal?.aborted) throw signal.reason ?? error
    const kind = classify(error)
    if (!kind.transient || n >= policy.attempts) {
      throw new ModelCallError(options.role, options.modelId, n, kind.transient, kind.status, kind.detail, { cause: error, unreachable: kind.unreachable })
    }
    const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1))
    const jittered = backoff / 2 + (random() * backoff) / 2
    await sleep(Math.min(policy.maxDelayMs, Math.max(jittered, kind.retryAfterMs ?? 0)), signal)
  }
}

async function runAttempt<T>(attempt: (signal: AbortSignal) => PromiseLike<T>, timeoutMs: number, outer: AbortSignal | undefined): Promise<T> {
  const controller = new AbortController()
  const forward = () => controller.abort(outer?.reason)
  outer?.addEventListener('abort', forward, { once: true })
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new AttemptTimeout(`no answer within ${timeoutMs} ms`))
  }, timeoutMs)
  try {
    // The race settles on time even when the model ignores its signal.
    return await Promise.race([
      Promise.resolve(attempt(controller.signal)),
      new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true })),
    ])
  } catch (err) {
    throw timedOut ? new AttemptTimeout(`no answer within ${timeoutMs} ms`, { cause: err }) : err
  } finally {
    clearTimeout(timer)
  }
}

type Classified = { transient: boolean; status: number | null; retryAfterMs: number | null; detail: string; unreachable: boolean }

/**
 * A failed connection: Node's fetch says "fetch failed" (a TypeError, which the SDK turns into "Cannot
 * connect to API: connect ECONNREFUSED…"), workerd "Network connection lost." (refused and dropped alike).
 */
const CONNECTION_FAILED = /fetch failed|cannot connect to api|network connection|econnrefused|econnreset|socket hang up|connection (?:refused|reset|closed)/i

/** Whether another attempt may succeed, and what to say about the failure. */
export function classify(error: unknown): Classified {
  if (error instanceof AttemptTimeout) return { transient: true, status: null, retryAfterMs: null, detail: error.message, unreachable: false }
  if (APICallError.isInstance(error)) {
    const status = error.statusCode ?? null
    // The SDK marks 408/409/429/5xx and failed connections retryable. Workers AI binding failures
    // without a known code ("3043: Internal server error", upstream hiccups) are read by their message.
    const transient = error.isRetryable || (status === null && /internal|upstream|capacity|unavailable|overloaded|timed? ?out|temporar/i.test(error.message))
    const unreachable = status === null && (CONNECTION_FAILED.test(error.message) || (error.cause instanceof Error && CONNECTION_FAILED.test(error.cause.message)))
    return { transient, status, retryAfterMs: retryAfter(error.responseHeaders), detail: firstLine(error.message), unreachable }
  }
  // A failed connection passes too.
  if (error instanceof Error && CONNECTION_FAILED.test(error.message)) {
    return { transient: true, status: null, retryAfterMs: null, detail: firstLine(error.message), unreachable: true }
  }
  const detail = error instanceof Error ? firstLine(error.message) : String(error)
  return { transient: false, status: null, retryAfterMs: null, detail, unreachable: false }
}

function retryAfter(headers: Record<string, string> | undefined): number | null {
  if (!headers) return null
  const ms = Number.parseFloat(headers['retry-after-ms'] ?? '')
  if (Number.isFinite(ms) && ms >= 0) return ms
  const value = headers['retry-after']
  if (!value) return null
  const seconds = Number.parseFloat(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000)
  const date = Date.parse(value)
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : null
}

const firstLine = (text: string) => {
  const line = text.split('\n')[0]!.trim()
  return line.length > 300 ? `${line.slice(0, 299)}…` : line
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
