import { describe, expect, it } from 'vitest'
import { fetchPage, type FetchPageOptions } from './fetch-page'
import type { UrlGuard } from './url-guard'

const GUARD: UrlGuard = { allowLoopback: false, resolve: null }

type Handler = (request: Request) => Response | Promise<Response>

/** A fake web: `routes` answer by URL; every request is recorded. */
function fakeWeb(routes: Record<string, Handler>) {
  const requests: Request[] = []
  const fetcher: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    requests.push(request)
    const route = routes[request.url]
    return route ? route(request) : new Response('no such page', { status: 404 })
  }
  return { fetcher, requests }
}

const options = (fetcher: typeof fetch, extra: Partial<FetchPageOptions> = {}): FetchPageOptions => ({
  fetcher,
  guard: GUARD,
  userAgent: 'CairnBot/1.0',
  maxBytes: 1024 * 1024,
  timeoutMs: 2000,
  ...extra,
})

const redirect = (location: string, status = 302): Handler => () => new Response(null, { status, headers: { location } })

describe('fetchPage', () => {
  it('returns the body, its type and validators, sending the user agent', async () => {
    const web = fakeWeb({
      'https://example.com/a': () => new Response('<p>hello</p>', { headers: { 'content-type': 'text/html; charset=utf-8', etag: '"v1"', 'last-modified': 'Wed, 01 May 2024 10:00:00 GMT' } }),
    })
    const page = await fetchPage('https://example.com/a', null, options(web.fetcher))
    expect(page).toMatchObject({ status: 'ok', url: 'https://example.com/a', contentType: 'text/html; charset=utf-8', etag: '"v1"', lastModified: 'Wed, 01 May 2024 10:00:00 GMT' })
    expect(page.status === 'ok' && new TextDecoder().decode(page.bytes)).toBe('<p>hello</p>')
    expect(web.requests[0]!.headers.get('user-agent')).toBe('CairnBot/1.0')
    expect(web.requests[0]!.headers.get('if-none-match')).toBeNull()
  })

  it('asks with the validators and reads 304 as unchanged', async () => {
    const web = fakeWeb({
      'https://example.com/a': (request) => (request.headers.get('if-none-match') === '"v1"' ? new Response(null, { status: 304 }) : new Response('changed')),
    })
    const page = await fetchPage('https://example.com/a', { etag: '"v1"', lastModified: 'Wed, 01 May 2024 10:00:00 GMT' }, options(web.fetcher))
    expect(page).toEqual({ status: 'unchanged' })
    expect(web.requests[0]!.headers.get('if-modified-since')).toBe('Wed, 01 May 2024 10:00:00 GMT')
  })

  it('reads 404 and 410 as gone, other errors as failed with a sentence', async () => {
    const web = fakeWeb({
      'https://example.com/removed': () => new Response('bye', { status: 410 }),
      'https://example.com/broken': () => new Response('oops', { status: 500 }),
      'https://example.com/forbidden': () => new Response('no', { status: 403 }),
    })
    expect(await fetchPage('https://example.com/missing', null, options(web.fetcher))).toEqual({ status: 'gone', httpStatus: 404 })
    expect(await fetchPage('https://example.com/removed', null, options(web.fetcher))).toEqual({ status: 'gone', httpStatus: 410 })
    expect(await fetchPage('https://example.com/broken', null, options(web.fetcher))).toEqual({ status: 'failed', reason: 'The page answered 500.' })
    expect(await fetchPage('https://example.com/forbidden', null, options(web.fetcher))).toEqual({ status: 'failed', reason: 'The page answered 403.' })
  })

  it('follows a redirect chain by hand, relative locations included, and reports the final URL', async () => {
    const web = fakeWeb({
      'http://example.com/old': redirect('https://example.com/older', 301),
      'https://example.com/older': redirect('/new/', 308),
      'https://example.com/new/': redirect('page', 303),
      'https://example.com/new/page': () => new Response('arrived', { headers: { 'content-type': 'text/plain' } }),
    })
    const page = await fetchPage('http://example.com/old', null, options(web.fetcher))
    expect(page).toMatchObject({ status: 'ok', url: 'https://example.com/new/page', contentType: 'text/plain' })
    expect(web.requests.map((r) => r.url)).toEqual(['http://example.com/old', 'https://example.com/older', 'https://example.com/new/', 'https://example.com/new/page'])
    expect(web.requests.every((r) => r.redirect === 'manual')).toBe(true)
  })

  it('refuses a redirect to the metadata address without fetching it', async () => {
    const web = fakeWeb({
      'https://example.com/trap': redirect('http://169.254.169.254/latest/meta-data/'),
      'http://169.254.169.254/latest/meta-data/': () => new Response('secret-credentials'),
    })
    const page = await fetchPage('https://example.com/trap', null, options(web.fetcher))
    expect(page.status).toBe('failed')
    expect(page.status === 'failed' && page.reason).toMatch(/169\.254\.169\.254 is a link-local address/)
    expect(web.requests.map((r) => r.url)).toEqual(['https://example.com/trap'])
  })

  it('refuses a refused start URL without fetching it', async () => {
    const web = fakeWeb({})
    const page = await fetchPage('http://10.0.0.1/', null, options(web.fetcher))
    expect(page.status === 'failed' && page.reason).toMatch(/private address/)
    expect(web.requests).toHaveLength(0)
  })

  it('stops after maxRedirects', async () => {
    const web = fakeWeb({ 'https://example.com/loop': redirect('/loop') })
    const page = await fetchPage('https://example.com/loop', null, options(web.fetcher, { maxRedirects: 3 }))
    expect(page).toEqual({ status: 'failed', reason: 'The page redirected more than 3 times.' })
    expect(web.requests).toHaveLength(4)
  })

  it('stops reading a body that passes maxBytes, with or without a declared length', async () => {
    let pulled = 0
    const endless = () =>
      new Response(
        new ReadableStream<Uint8Array>({
          pull(controller) {
            pulled++
            controller.enqueue(new Uint8Array(64 * 1024))
          },
        }),
      )
    const web = fakeWeb({
      'https://example.com/endless': endless,
      'https://example.com/declared': () => new Response('x', { headers: { 'content-length': String(5 * 1024 * 1024) } }),
      'https://example.com/fits': () => new Response(new Uint8Array(1024 * 1024)),
    })
    expect(await fetchPage('https://example.com/endless', null, options(web.fetcher))).toEqual({ status: 'failed', reason: 'The page is over 1 MB.' })
    expect(pulled).toBeLessThan(40)
    expect(await fetchPage('https://example.com/declared', null, options(web.fetcher, { maxBytes: 2 * 1024 * 1024 }))).toEqual({ status: 'failed', reason: 'The page is over 2 MB.' })
    const fits = await fetchPage('https://example.com/fits', null, options(web.fetcher))
    expect(fits.status === 'ok' && fits.bytes.byteLength).toBe(1024 * 1024)
  })

  it('gives up after timeoutMs, whether the answer or its body is slow', async () => {
    const never = fakeWeb({ 'https://example.com/slow': () => new Promise<Response>(() => {}) })
    const started = Date.now()
    expect(await fetchPage('https://example.com/slow', null, options(never.fetcher, { timeoutMs: 200 }))).toEqual({ status: 'failed', reason: 'The page did not answer within 0.2 s.' })
    expect(Date.now() - started).toBeLessThan(1500)
    expect(never.requests[0]!.signal.aborted).toBe(true)

    const slowDns = fakeWeb({ 'https://example.com/a': () => new Response('never asked') })
    const hanging = { allowLoopback: false, resolve: () => new Promise<string[]>(() => {}) }
    expect(await fetchPage('https://example.com/a', null, options(slowDns.fetcher, { timeoutMs: 200, guard: hanging }))).toEqual({ status: 'failed', reason: 'The page did not answer within 0.2 s.' })
    expect(slowDns.requests).toHaveLength(0)

    const trickle = fakeWeb({
      'https://example.com/trickle': () => new Response(new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(10)) })),
    })
    expect(await fetchPage('https://example.com/trickle', null, options(trickle.fetcher, { timeoutMs: 200 }))).toEqual({ status: 'failed', reason: 'The page did not answer within 0.2 s.' })
  })

  it('reports a network error with its message', async () => {
    const fetcher: typeof fetch = async () => {
      throw new TypeError('Network connection lost.')
    }
    expect(await fetchPage('https://example.com/', null, options(fetcher))).toEqual({ status: 'failed', reason: 'The page could not be fetched: Network connection lost.' })
  })
})
