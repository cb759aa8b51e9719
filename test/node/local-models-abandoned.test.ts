/**
 * The local model server stops computing an answer its caller has given up on. Cairn's embedding
 * calls have a deadline; when one passes on a busy machine the call is retried, and a server that
 * went on embedding the abandoned texts would make the retry wait behind them, and miss its deadline
 * too. Runs the server's HTTP surface (http-api.mjs) over a stand-in encoder, so it needs no weights.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { modelApi } from '../../local-models/http-api.mjs'

type Call = { texts: string[]; signal: AbortSignal | undefined; finished: boolean }
const calls: Call[] = []

/** Embeds one text per 50 ms tick, stopping between texts once its signal is aborted. */
const slowEncoder = {
  id: 'stand-in',
  kind: 'embedding',
  dimensions: 2,
  async embed(texts: string[], { signal }: { signal?: AbortSignal } = {}) {
    const call: Call = { texts, signal, finished: false }
    calls.push(call)
    const vectors = []
    for (const _ of texts) {
      signal?.throwIfAborted()
      await new Promise((r) => setTimeout(r, 50))
      vectors.push(new Float32Array([1, 0]))
    }
    call.finished = true
    return { vectors, tokens: texts.length }
  },
}

let server: Server
let base: string
beforeAll(async () => {
  server = createServer(modelApi({ embedding: slowEncoder, rerank: null }))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise((r) => server.close(r)))

const embed = (input: string[], signal?: AbortSignal) =>
  fetch(`${base}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input }), signal })

describe('the local model server', () => {
  it('stops embedding when the caller hangs up, and answers the next call', async () => {
    const caller = new AbortController()
    const abandoned = embed(Array.from({ length: 100 }, (_, i) => `text ${i}`), caller.signal)
    await new Promise((r) => setTimeout(r, 200))
    caller.abort()
    await expect(abandoned).rejects.toThrow()
    // The server notices the closed connection and aborts the work.
    await expect.poll(() => calls[0]?.signal?.aborted, { timeout: 2_000 }).toBe(true)
    expect(calls[0]!.finished).toBe(false)

    const res = await embed(['one more'])
    expect(res.status).toBe(200)
    expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(1)
    expect(calls[1]!.signal?.aborted).toBe(false)
  })
})
