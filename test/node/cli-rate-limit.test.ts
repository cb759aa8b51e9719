/**
 * The CLI's client past a rate limit: a server on loopback answers 429 with Retry-After as Cairn does,
 * then 200; the client waits what it was told and sends the same request again (a multipart upload
 * included), and gives up with Cairn's sentence when the limit outlasts its retries.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error the CLI is plain JavaScript
import { client } from '../../cli/client.mjs'

let server: Server | null = null
afterEach(() => server?.close())

async function serve(answers: Array<{ status: number; retryAfter?: string }>): Promise<{ url: string; bodies: string[]; times: number[] }> {
  const bodies: string[] = []
  const times: number[] = []
  server = createServer(async (req: IncomingMessage, res) => {
    let body = ''
    for await (const chunk of req) body += chunk
    bodies.push(body)
    times.push(Date.now())
    const answer = answers[Math.min(bodies.length - 1, answers.length - 1)]!
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (answer.retryAfter) headers['retry-after'] = answer.retryAfter
    res.writeHead(answer.status, headers)
    res.end(
      JSON.stringify(
        answer.status === 429
          ? { error: { message: 'Rate limit reached: this token made more uploads and source syncs than allowed in 60 seconds.', type: 'requests', param: null, code: 'rate_limit_exceeded' } }
          : { id: 'file-1' },
      ),
    )
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, bodies, times }
}

describe('the CLI past a rate limit', () => {
  it('waits Retry-After and sends the same upload again', async () => {
    const { url, bodies, times } = await serve([{ status: 429, retryAfter: '1' }, { status: 200 }])
    const form = new FormData()
    form.append('file', new File(['hello'], 'hello.txt'))
    const res = await client({ url, token: 't' }).request('POST', '/files', { body: form })
    expect(await res.json()).toEqual({ id: 'file-1' })
    expect(bodies).toHaveLength(2)
    expect(bodies[1]).toContain('hello')
    expect(bodies[1]).toContain('filename="hello.txt"')
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950)
  })

  it('gives up with Cairn’s sentence once its retries are spent', async () => {
    const { url, bodies } = await serve([{ status: 429, retryAfter: '0' }])
    const api = client({ url, token: 't' })
    await expect(api.json('GET', '/models')).rejects.toThrow(/Rate limit reached: this token/)
    expect(bodies).toHaveLength(6)
  }, 20_000)
})
