import { describe, expect, it } from 'vitest'
import { noteAnswer, noteFailure, probeModel, recentlyFailed, recentStatus, STATUS_TTL_MS } from './availability'

let n = 0
const model = () => `model-${++n}`

describe('what the isolate last learned of a model', () => {
  it('holds a failure for STATUS_TTL_MS, until the model answers again', () => {
    const id = model()
    noteFailure('embedding', id, new Error('Network connection lost.'), 1_000)
    expect(recentlyFailed('embedding', id, 1_000 + STATUS_TTL_MS - 1)).toBe(true)
    expect(recentlyFailed('rerank', id, 1_000)).toBe(false)
    expect(recentlyFailed('embedding', id, 1_000 + STATUS_TTL_MS)).toBe(false)
    noteAnswer('embedding', id, 2_000)
    expect(recentStatus('embedding', id, 2_000)).toEqual({ ok: true, detail: null, at: 2_000 })
  })

  it('probes once for concurrent callers, and not again while the answer stands', async () => {
    const id = model()
    let calls = 0
    const call = async () => void calls++
    const [a, b] = await Promise.all([probeModel('embedding', id, call), probeModel('embedding', id, call)])
    expect(a.ok && b.ok).toBe(true)
    await probeModel('embedding', id, call)
    expect(calls).toBe(1)
  })

  it('says a probe that ran out of time got no answer, and that a failing one failed', async () => {
    const silent = await probeModel('embedding', model(), (signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))))
    expect(silent).toMatchObject({ ok: false, detail: 'no answer within 2000 ms' })
    const refused = await probeModel('rerank', model(), async () => Promise.reject(new Error('The rerank model "m" failed: Network connection lost.')))
    expect(refused).toMatchObject({ ok: false, detail: 'The rerank model "m" failed: Network connection lost.' })
  })
})
