/**
 * The local queue keeps delivering after a log line is lost. Miniflare's queue broker logs every
 * batch to the runtime's loopback server; when that server drops the connection (it closes idle
 * keep-alive sockets after 5 s, and a write can land as it does), the unpatched broker never
 * delivers again and every later upload stays `uploaded` — under `npm start` and in the test pool.
 * `patches/miniflare+*.patch` (applied by `npm install`) makes the lost log line harmless; this
 * test drops one on purpose and checks the next message still arrives.
 */
import http from 'node:http'
import { Miniflare } from 'miniflare'
import { afterAll, describe, expect, it } from 'vitest'

// Wrap the request handlers of the servers Miniflare creates, so the test can make its loopback
// server drop a log request (the connection is cut) or leave one unanswered.
type LogFault = 'cut' | 'unanswered' | null
let nextLogFault: LogFault = null
const createServer = http.createServer
;(http as { createServer: unknown }).createServer = (handler: http.RequestListener) =>
  createServer((req, res) => {
    if (nextLogFault && req.url?.endsWith('/core/log')) {
      const fault = nextLogFault
      nextLogFault = null
      if (fault === 'cut') req.socket.destroy()
      return
    }
    return handler(req, res)
  })

const mf = new Miniflare({
  modules: true,
  compatibilityDate: '2025-09-01',
  kvNamespaces: ['SEEN'],
  queueProducers: { JOBS: { queueName: 'jobs' } },
  queueConsumers: { jobs: { maxBatchSize: 1, maxBatchTimeout: 0.05 } },
  script: `
    export default {
      async fetch(request, env) {
        await env.JOBS.send({ n: new URL(request.url).searchParams.get('n') })
        return new Response('sent')
      },
      async queue(batch, env) {
        for (const message of batch.messages) await env.SEEN.put(message.body.n, 'seen')
      },
    }`,
})

afterAll(async () => {
  ;(http as { createServer: unknown }).createServer = createServer
  await mf.dispose()
})

async function delivered(n: string, timeoutMs = 10_000): Promise<boolean> {
  const seen = (await mf.getKVNamespace('SEEN')) as unknown as { get(key: string): Promise<string | null> }
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    if ((await seen.get(n)) === 'seen') return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}

describe('the local queue', () => {
  it('delivers the next message after the broker could not deliver a log line', async () => {
    await mf.ready
    await mf.dispatchFetch('http://cairn/?n=1')
    expect(await delivered('1')).toBe(true)

    for (const [fault, n] of [['cut', '2'], ['unanswered', '3']] as const) {
      // The broker's log line for the next batch meets the fault.
      nextLogFault = fault
      await mf.dispatchFetch(`http://cairn/?n=${n}`)
      expect(await delivered(n), fault).toBe(true)
      await new Promise((r) => setTimeout(r, 300))
      expect(nextLogFault, `no log line was sent, so none met the fault "${fault}"`).toBe(null)
      // …and the queue goes on.
      await mf.dispatchFetch(`http://cairn/?n=${n}b`)
      expect(await delivered(`${n}b`), `after "${fault}"`).toBe(true)
    }
  }, 60_000)
})
