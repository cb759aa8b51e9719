/**
 * @module A website source's sync: a breadth-first crawl whose frontier lives in `source_objects`
 * (rows this sync discovered and has not visited yet are `queued`), so a crash resumes it. Pages of the
 * start URL's origin are followed to `max_depth` links and `max_pages` pages, robots.txt is honoured,
 * every request (and every redirect) passes the address guard, and a page seen before is asked for
 * with its ETag / Last-Modified. A page becomes a Markdown file named by its URL; a linked document
 * Cairn reads (a PDF, a spreadsheet…) becomes a file as it is.
 */
import { and, asc, count, eq } from 'drizzle-orm'
import { sha256Hex } from '../db/ids'
import { sourceObjects } from '../db/schema'
import { CONTENT_TYPES } from '../files/file-object'
import { extensionOfKind, type FileKind } from '../ingest/file-type'
import type { Ports } from '../ports'
import { keyFilter } from './key-filter'
import { CRAWLER_USER_AGENT, type WebSettings } from './settings'
import type { SourceRow } from './source-object'
import { indexObject, knownObjects, setAside, type KnownObject } from './source-files'
import { noCounts, saveProgress, type SyncCounts } from './sync-progress'
import { urlGuardOf } from './web/crawl-guard'
import { fetchPage, type FetchPageOptions, type PageValidators } from './web/fetch-page'
import { htmlToPage } from './web/page'
import { ALLOW_ALL, parseRobots, type RobotsRules } from './web/robots'
import { parseSitemap } from './web/sitemap'
import { checkCrawlUrl } from './web/url-guard'

/** Pages visited between two saves of the sync's progress. */
const VISITS_PER_SAVE = 10
const PAGE_TIMEOUT_MS = 20_000
/** Links kept per page for the next crawl, which may get a 304 and so no body to read them from. */
const MAX_LINKS_KEPT = 500
/** The cursor of a crawl whose frontier has been seeded. */
const CRAWLING = 'crawling'

type Stored = PageValidators & { links?: string[] }

/** The URL without its fragment, as the frontier keys it. */
function normalise(href: string): string | null {
  try {
    const url = new URL(href)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null
    url.hash = ''
    return url.href
  } catch {
    return null
  }
}

/** The media type of a content type, without its parameters. */
const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase()

/**
 * The name whose extension says a document's format, so the upload checks know it: a page becomes
 * Markdown; a document goes by its URL's extension, else by the kind whose content type it was sent as.
 */
function formatNameOf(url: string, contentType: string): string | null {
  const type = mediaType(contentType)
  if (type === 'text/html' || type === 'application/xhtml+xml') return 'page.md'
  const ext = new URL(url).pathname.match(/\.([a-z0-9]{1,5})$/i)?.[1]?.toLowerCase()
  if (ext) return `document.${ext}`
  const kind = Object.keys(CONTENT_TYPES).find((k) => mediaType(CONTENT_TYPES[k]!) === type)
  return kind ? `document.${extensionOfKind(kind as FileKind)}` : null
}

/** How every request of one crawl step is made: one address guard (and its DNS answers) for the step. */
function pageRequests(deps: Pick<Ports, 'fetch' | 'config'>) {
  const guard = urlGuardOf(deps.config, deps.fetch)
  return { guard, options: (maxBytes: number): FetchPageOptions => ({ fetcher: deps.fetch, guard, userAgent: CRAWLER_USER_AGENT, maxBytes, timeoutMs: PAGE_TIMEOUT_MS }) }
}
type PageRequests = ReturnType<typeof pageRequests>

/** robots.txt of the site; a missing or failing one allows everything, as crawlers agree. */
async function robotsOf(requests: PageRequests, origin: string): Promise<RobotsRules> {
  const url = `${origin}/robots.txt`
  const fetched = await fetchPage(url, null, requests.options(512 * 1024))
  if (fetched.status !== 'ok') return ALLOW_ALL
  return parseRobots(url, new TextDecoder().decode(fetched.bytes), CRAWLER_USER_AGENT)
}

/** Pages a sitemap (or a sitemap index, one level down) lists. */
async function sitemapPages(requests: PageRequests, sitemapUrl: string, limit: number): Promise<string[]> {
  const options = requests.options(10 * 1024 * 1024)
  const top = await fetchPage(sitemapUrl, null, options)
  if (top.status !== 'ok') return []
  const parsed = parseSitemap(new TextDecoder().decode(top.bytes))
  const pages = [...parsed.pages]
  for (const child of parsed.sitemaps) {
    if (pages.length >= limit) break
    const fetched = await fetchPage(child, null, options)
    if (fetched.status === 'ok') pages.push(...parseSitemap(new TextDecoder().decode(fetched.bytes)).pages)
  }
  return pages.slice(0, limit)
}

/**
 * Adds URLs to this sync's frontier: same origin, passing the path globs, not yet seen by this sync,
 * up to `max_pages` for the sync. A URL an earlier sync indexed keeps its version and file.
 */
async function discover(deps: Pick<Ports, 'db' | 'd1'>, source: SourceRow, settings: WebSettings, urls: string[], depth: number): Promise<void> {
  const origin = new URL(settings.url).origin
  const passes = keyFilter(settings.include, settings.exclude)
  const candidates = [...new Set(urls.map(normalise).filter((u): u is string => u !== null && new URL(u).origin === origin && passes(new URL(u).pathname)))]
  if (candidates.length === 0) return
  // URLs this sync already holds (the page linking back home) take no room.
  const known = await knownObjects(deps, source.id, candidates)
  const fresh = candidates.filter((u) => known.get(u)?.seenSync !== source.syncId)
  if (fresh.length === 0) return
  const seen = await deps.db.select({ n: count() }).from(sourceObjects).where(and(eq(sourceObjects.sourceId, source.id), eq(sourceObjects.seenSync, source.syncId!))).get()
  const room = settings.max_pages - (seen?.n ?? 0)
  if (room <= 0) return
  const statement = deps.d1.prepare(
    `INSERT INTO source_objects (source_id, key, state, seen_sync, depth) VALUES (?, ?, 'queued', ?, ?)
     ON CONFLICT(source_id, key) DO UPDATE SET state = 'queued', seen_sync = excluded.seen_sync, depth = excluded.depth WHERE source_objects.seen_sync != excluded.seen_sync`,
  )
  await deps.d1.batch(fresh.slice(0, room).map((url) => statement.bind(source.id, url, source.syncId, depth)))
}

/** Visits one page of the frontier; returns how it counts. */
async function visit(deps: Ports, requests: PageRequests, source: SourceRow, settings: WebSettings, robots: RobotsRules, url: string, depth: number, previous: KnownObject | undefined): Promise<keyof SyncCounts | null> {
  const syncId = source.syncId!
  if (!robots.allows(url)) return (await setAside(deps, source.id, syncId, url, 'robots.txt disallows it', previous, 'skipped', depth)) ? 'removed' : null
  const stored: Stored | null = previous?.present && previous.validators ? (JSON.parse(previous.validators) as Stored) : null
  const fetched = await fetchPage(url, stored, requests.options(deps.config.maxFileBytes))
  const follow = async (links: string[]) => {
    if (depth < settings.max_depth && links.length) await discover(deps, source, settings, links, depth + 1)
  }
  if (fetched.status === 'unchanged') {
    await deps.d1.prepare(`UPDATE source_objects SET state = 'indexed' WHERE source_id = ? AND key = ?`).bind(source.id, url).run()
    await follow(stored?.links ?? [])
    return 'unchanged'
  }
  if (fetched.status === 'gone') return (await setAside(deps, source.id, syncId, url, `the page answered ${fetched.httpStatus}`, previous, 'skipped', depth)) ? 'removed' : null
  if (fetched.status === 'failed') {
    // A page that fails now keeps the file of its last good read; one never read is recorded as failed.
    if (previous?.present) {
      await deps.d1.prepare(`UPDATE source_objects SET state = 'indexed', note = ? WHERE source_id = ? AND key = ?`).bind(fetched.reason, source.id, url).run()
    } else {
      await setAside(deps, source.id, syncId, url, fetched.reason, previous, 'refused', depth)
    }
    return 'failed'
  }
  if (new URL(fetched.url).origin !== new URL(settings.url).origin) {
    return (await setAside(deps, source.id, syncId, url, `it redirects off the site, to ${new URL(fetched.url).origin}`, previous, 'skipped', depth)) ? 'removed' : null
  }
  const formatName = formatNameOf(fetched.url, fetched.contentType)
  if (!formatName) return (await setAside(deps, source.id, syncId, url, `Cairn does not read ${fetched.contentType || 'pages without a content type'}`, previous, 'skipped', depth)) ? 'removed' : null
  let bytes = fetched.bytes
  let links: string[] = []
  if (formatName === 'page.md') {
    const page = htmlToPage(new TextDecoder().decode(fetched.bytes), fetched.url)
    if (page.noindex) return (await setAside(deps, source.id, syncId, url, 'the page asks not to be indexed (robots noindex)', previous, 'skipped', depth)) ? 'removed' : null
    bytes = new TextEncoder().encode(page.markdown)
    links = page.nofollow ? [] : page.links
  }
  const validators = JSON.stringify({ etag: fetched.etag, lastModified: fetched.lastModified, links: links.slice(0, MAX_LINKS_KEPT) } satisfies Stored)
  const version = await sha256Hex(bytes)
  await follow(links)
  if (previous?.present && previous.version === version) {
    await deps.d1.prepare(`UPDATE source_objects SET state = 'indexed', validators = ?, note = NULL WHERE source_id = ? AND key = ?`).bind(validators, source.id, url).run()
    return 'unchanged'
  }
  return indexObject(deps, source, syncId, { key: url, version, bytes, formatName, origin: { url }, validators, depth }, previous)
}

/** Crawls from where the sync stands; true when its frontier is empty. */
export async function crawlStep(deps: Ports, source: SourceRow, deadline: number): Promise<boolean> {
  const settings = JSON.parse(source.settings) as WebSettings
  const origin = new URL(settings.url).origin
  const requests = pageRequests(deps)
  await checkCrawlUrl(settings.url, requests.guard)
  if (source.syncCursor !== CRAWLING) {
    const seeds = [settings.url, ...(settings.sitemap_url ? await sitemapPages(requests, settings.sitemap_url, settings.max_pages) : [])]
    await discover(deps, source, settings, seeds, 0)
    if (!(await saveProgress(deps, source, CRAWLING, noCounts()))) return false
  }
  const robots = await robotsOf(requests, origin)
  for (;;) {
    const frontier = await deps.db
      .select({ key: sourceObjects.key, depth: sourceObjects.depth })
      .from(sourceObjects)
      .where(and(eq(sourceObjects.sourceId, source.id), eq(sourceObjects.seenSync, source.syncId!), eq(sourceObjects.state, 'queued')))
      .orderBy(asc(sourceObjects.depth), asc(sourceObjects.key))
      .limit(VISITS_PER_SAVE)
      .all()
    if (frontier.length === 0) return true
    const known = await knownObjects(deps, source.id, frontier.map((f) => f.key))
    const counts = noCounts()
    for (const page of frontier) {
      const outcome = await visit(deps, requests, source, settings, robots, page.key, page.depth, known.get(page.key))
      if (outcome) counts[outcome]++
    }
    if (!(await saveProgress(deps, source, CRAWLING, counts))) return false
    if (Date.now() > deadline) return false
  }
}
