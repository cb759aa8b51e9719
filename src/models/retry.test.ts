import { APICallError } from 'ai'
import { describe, expect, it } from 'vitest'
import { classify, ModelCallError, withRetry, type RetryPolicy } from './retry'

const policy: RetryPolicy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, timeoutMs: 1_000 }

function apiError(status: number | undefined, headers?: Record<string, string>, message = `status ${status}`) {
  return new APICallError({ message, url: 'http://model.test/v1/x', requestBodyValues: {}, ...(status ? { statusCode: status } : {}), ...(headers ? { responseHeaders: headers } : {}) })
}

/** Records the waits instead of waiting. */
function recorder() {
  const waits: number[] = []
  return { waits, sleep: async (ms: number) => void waits.push(ms) }
}

describe('withRetry', () => {
  it('retries 429 and 5xx, then returns the answer', async () => {
    const { waits, sleep } = recorder()
    const failures = [apiError(429), apiError(503)]
    let calls = 0
    const result = await withRetry(
      async () => {
        calls++
        const failure = failures.shift()
        if (failure) throw failure
        return 'ok'
      },
      { role: 'embedding', modelId: 'm', policy, sleep, random: () => 1 },
    )
    expect(result).toBe('ok')
    expect(calls).toBe(3)
    // Exponential: the second wait is twice the first.
    expect(waits).toEqual([100, 200])
  })

  it('fails at once on a request error that retrying cannot fix', async () => {
    let calls = 0
    const error = await withRetry(
      async () => {
        calls++
        throw apiError(401, undefined, 'Incorrect API key')
      },
      { role: 'reasoning', modelId: 'gpt-x', policy, sleep: async () => {} },
    ).catch((e: unknown) => e)
    expect(calls).toBe(1)
    expect(error).toBeInstanceOf(ModelCallError)
    expect(error).toMatchObject({ role: 'reasoning', modelId: 'gpt-x', attempts: 1, transient: false, status: 401 })
    expect((error as Error).message).toMatch(/Incorrect API key/)
  })

  it('gives up after the last attempt with a ModelCallError the AI SDK will not retry again', async () => {
    let calls = 0
    const error = await withRetry(
      async () => {
        calls++
        throw apiError(500)
      },
      { role: 'embedding', modelId: 'm', policy, sleep: async () => {} },
    ).catch((e: unknown) => e)
    expect(calls).toBe(3)
    expect(error).toMatchObject({ attempts: 3, transient: true, status: 500 })
    expect(APICallError.isInstance(error)).toBe(false)
  })

  it('waits as long as Retry-After asks, up to the ceiling', async () => {
    const { waits, sleep } = recorder()
    const failures = [apiError(429, { 'retry-after': '0.5' }), apiError(429, { 'retry-after': '60' })]
    await withRetry(
      async () => {
        const failure = failures.shift()
        if (failure) throw failure
        return 'ok'
      },
      { role: 'embedding', modelId: 'm', policy, sleep, random: () => 0 },
    )
    expect(waits).toEqual([500, 1_000])
  })

  it('gives each attempt a deadline, aborts the late one and retries', async () => {
    const signals: AbortSignal[] = []
    let calls = 0
    const result = await withRetry(
      (signal) => {
        signals.push(signal)
        calls++
        // The first attempt never answers; the second does.
        return calls === 1 ? new Promise<string>(() => {}) : Promise.resolve('second')
      },
      { role: 'rerank', modelId: 'm', policy: { ...policy, timeoutMs: 20 }, sleep: async () => {} },
    )
    expect(result).toBe('second')
    expect(signals[0]!.aborted).toBe(true)
    expect(signals[1]!.aborted).toBe(false)
  })

  it('reports a deadline that keeps passing as a timeout', async () => {
    const error = await withRetry(() => new Promise<string>(() => {}), {
      role: 'vision',
      modelId: 'slow',
      policy: { ...policy, attempts: 2, timeoutMs: 10 },
      sleep: async () => {},
    }).catch((e: unknown) => e)
    expect(error).toMatchObject({ attempts: 2, transient: true })
    expect((error as Error).message).toMatch(/no answer within 10 ms/)
  })

  it('never retries when the caller aborts', async () => {
    const controller = new AbortController()
    let calls = 0
    const pending = withRetry(
      (signal) => {
        calls++
        return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))))
      },
      { role: 'reasoning', modelId: 'm', policy, signal: controller.signal, sleep: async () => {} },
    )
    controller.abort(new Error('the client left'))
    await expect(pending).rejects.toThrow('the client left')
    expect(calls).toBe(1)
  })

  it('keeps the signal of a successful attempt alive, so a stream it opened keeps flowing', async () => {
    let kept: AbortSignal | undefined
    await withRetry(
      async (signal) => {
        kept = signal
        return 'stream'
      },
      { role: 'reasoning', modelId: 'm', policy: { ...policy, timeoutMs: 5 } },
    )
    await new Promise((r) => setTimeout(r, 20))
    expect(kept!.aborted).toBe(false)
  })
})

describe('classify', () => {
  it('counts rate limits, server errors, timeouts and refused connections as passing', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504]) expect(classify(apiError(status)).transient, String(status)).toBe(true)
    for (const status of [400, 401, 403, 404, 413, 422]) expect(classify(apiError(status)).transient, String(status)).toBe(false)
    expect(classify(new TypeError('fetch failed')).transient).toBe(true)
    expect(classify(new Error('Network connection lost.')).transient).toBe(true)
    const refused = new APICallError({ message: 'Cannot connect to API: connect ECONNREFUSED', url: 'x', requestBodyValues: {}, isRetryable: true })
    expect(classify(refused).transient).toBe(true)
    expect(classify(new Error('Cannot read properties of undefined')).transient).toBe(false)
  })

  it('tells a connection that failed from an answer that was an error or came too late', () => {
    expect(classify(new TypeError('fetch failed')).unreachable).toBe(true)
    expect(classify(new Error('Network connection lost.')).unreachable).toBe(true)
    const refused = new APICallError({ message: 'Cannot connect to API: connect ECONNREFUSED', url: 'x', requestBodyValues: {}, isRetryable: true })
    expect(classify(refused).unreachable).toBe(true)
    const lost = new APICallError({ message: 'Cannot reach http://x/v1/rerank: Network connection lost.', url: 'x', requestBodyValues: {}, isRetryable: true, cause: new Error('Network connection lost.') })
    expect(classify(lost).unreachable).toBe(true)
    for (const status of [502, 503, 401]) expect(classify(apiError(status)).unreachable, String(status)).toBe(false)
    expect(classify(apiError(undefined, undefined, '3043: Internal server error')).unreachable).toBe(false)
  })

  it('says on the final error whether the endpoint could be reached at all', async () => {
    const quick = { ...policy, attempts: 2, baseDelayMs: 1 }
    const down = await withRetry(() => Promise.reject(new Error('Network connection lost.')), { role: 'embedding', modelId: 'm', policy: quick }).catch((e: unknown) => e)
    expect(down).toMatchObject({ name: 'ModelCallError', attempts: 2, transient: true, unreachable: true })
    const failing = await withRetry(() => Promise.reject(apiError(503)), { role: 'embedding', modelId: 'm', policy: quick }).catch((e: unknown) => e)
    expect(failing).toMatchObject({ name: 'ModelCallError', transient: true, unreachable: false, status: 503 })
  })

  it('reads Workers AI binding failures without a status by their message', () => {
    expect(classify(apiError(undefined, undefined, '3043: Internal server error')).transient).toBe(true)
    expect(classify(apiError(undefined, undefined, '5006: Invalid input')).transient).toBe(false)
  })
})
