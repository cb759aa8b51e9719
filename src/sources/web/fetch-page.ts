/**
 * @module Fetching one URL for the crawl: conditional on the validators of the last visit, redirects
 * followed by hand so every hop passes the address guard, and the body read with a size cap and the
 * whole exchange under one deadline. Outcomes are values; only a bug throws.
 */
import { concatBytes } from '../../bytes'
import { formatBytes } from '../../ingest/limits'
import { SourceAccessError } from '../errors'
import { checkCrawlUrl, type UrlGuard } from './url-guard'

/** What the last visit's response said about its version, sent back to ask "has it changed?". */
export type PageValidators = { etag: string | null; lastModified: string | null }

export type FetchedPage =
  | {
      status: 'ok'
      /** The URL the body came from, after redirects. */
      url: string
      bytes: Uint8Array
      contentType: string
      etag: string | null
      lastModified: string | null
    }
  | { status: 'unchanged' }
  | { status: 'gone'; httpStatus: number }
  | { status: 'failed'; reason: string }

export type FetchPageOptions = {
  fetcher?: typeof fetch
  guard: UrlGuard
  userAgent: string
  maxBytes: number
  timeoutMs: number
  /** Default 5. */
  maxRedirects?: number
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const ACCEPT = 'text/html,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.5'

/** Raised inside fetchPage when the deadline passes; never leaves it. */
class PageTimeout extends Error {}

/**
 * @example
 * const page = await fetchPage('https://example.com/', { etag: '"v1"', lastModified: null }, { guard, userAgent, maxBytes: 10_000_000, timeoutMs: 20_000 })
 * if (page.status === 'ok') htmlToPage(new TextDecoder().decode(page.bytes), page.url)
 */
export async function fetchPage(url: string, validators: PageValidators | null, options: FetchPageOptions): Promise<FetchedPage> {
  const fetcher = options.fetcher ?? fetch
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  // Every wait is raced against this, so a fetcher or a body that ignores the abort signal cannot hang the crawl.
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort()
      reject(new PageTimeout())
    }, options.timeoutMs)
  })
  deadline.catch(() => {})
  const timedOut = (): FetchedPage => ({ status: 'failed', reason: `The page did not answer within ${formatSeconds(options.timeoutMs)} s.` })
  try {
    return await exchange(url, validators, options, fetcher, controller.signal, deadline)
  } catch (error) {
    if (error instanceof PageTimeout || controller.signal.aborted) return timedOut()
    if (error instanceof SourceAccessError) return { status: 'failed', reason: error.message }
    const message = error instanceof Error ? error.message : String(error)
    return { status: 'failed', reason: `The page could not be fetched: ${message}` }
  } finally {
    clearTimeout(timer)
  }
}

async function exchange(url: string, validators: PageValidators | null, options: FetchPageOptions, fetcher: typeof fetch, signal: AbortSignal, deadline: Promise<never>): Promise<FetchedPage> {
  const maxRedirects = options.maxRedirects ?? 5
  const headers: Record<string, string> = { 'user-agent': options.userAgent, accept: ACCEPT }
  if (validators?.etag) headers['if-none-match'] = validators.etag
  if (validators?.lastModified) headers['if-modified-since'] = validators.lastModified
  // The guard's DNS lookups count against the deadline too.
  let current = await Promise.race([checkCrawlUrl(url, options.guard), deadline])
  for (let hops = 0; ; hops++) {
    const response = await Promise.race([fetcher(current.href, { method: 'GET', headers, redirect: 'manual', signal }), deadline])
    if (REDIRECTS.has(response.status)) {
      discard(response)
      const location = response.headers.get('location')
      if (!location) return { status: 'failed', reason: `The page answered ${response.status} without saying where it moved.` }
      if (hops >= maxRedirects) return { status: 'failed', reason: `The page redirected more than ${maxRedirects} times.` }
      let next: URL
      try {
        next = new URL(location, current)
      } catch {
        return { status: 'failed', reason: `The page redirected to '${location.slice(0, 200)}', which is not a URL.` }
      }
      current = await Promise.race([checkCrawlUrl(next.href, options.guard), deadline])
      continue
    }
    if (response.status === 304 && validators) {
      discard(response)
      return { status: 'unchanged' }
    }
    if (response.status === 404 || response.status === 410) {
      discard(response)
      return { status: 'gone', httpStatus: response.status }
    }
    if (response.status < 200 || response.status > 299) {
      discard(response)
      return { status: 'failed', reason: `The page answered ${response.status}.` }
    }
    const declared = Number(response.headers.get('content-length'))
    if (Number.isFinite(declared) && declared > options.maxBytes) {
      discard(response)
      return tooLarge(options.maxBytes)
    }
    const bytes = await readCapped(response, options.maxBytes, deadline)
    if (!bytes) return tooLarge(options.maxBytes)
    return {
      status: 'ok',
      url: current.href,
      bytes,
      contentType: response.headers.get('content-type') ?? '',
      etag: response.headers.get('etag'),
      lastModified: response.headers.get('last-modified'),
    }
  }
}

/** The body, or null once it passes `maxBytes` (the rest is never read). */
async function readCapped(response: Response, maxBytes: number, deadline: Promise<never>): Promise<Uint8Array | null> {
  if (!response.body) return new Uint8Array(0)
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline])
      if (done) break
      total += value.byteLength
      if (total > maxBytes) return null
      chunks.push(value)
    }
  } finally {
    reader.cancel().catch(() => {})
  }
  return concatBytes(chunks)
}

/** A body not read is cancelled, so its connection is freed. */
function discard(response: Response): void {
  response.body?.cancel().catch(() => {})
}

const tooLarge = (maxBytes: number): FetchedPage => ({ status: 'failed', reason: `The page is over ${formatBytes(maxBytes)}.` })

const formatSeconds = (ms: number) => (Number.isInteger(ms / 1000) ? String(ms / 1000) : (ms / 1000).toFixed(1))
