/**
 * @module Reading a sitemap (sitemaps.org): a `<urlset>` lists pages, a `<sitemapindex>` lists more
 * sitemaps. A site's sitemap is input Cairn does not control, so anything unreadable yields nothing.
 */
import { XMLParser } from 'fast-xml-parser'

export type Sitemap = { pages: string[]; sitemaps: string[] }

const parser = new XMLParser({
  ignoreAttributes: true,
  // `<sm:urlset xmlns:sm=…>` is as valid as the default namespace.
  removeNSPrefix: true,
  // A `<loc>` stays text: a number-looking one must not become a number.
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === 'url' || name === 'sitemap',
})

/**
 * The page and sitemap URLs of `xml`: absolute http(s) only, deduplicated, in document order.
 *
 * @example
 * parseSitemap('<urlset><url><loc>https://example.com/a</loc></url></urlset>') // { pages: ['https://example.com/a'], sitemaps: [] }
 */
export function parseSitemap(xml: string): Sitemap {
  let doc: unknown
  try {
    doc = parser.parse(xml)
  } catch {
    return { pages: [], sitemaps: [] }
  }
  if (!isRecord(doc)) return { pages: [], sitemaps: [] }
  return { pages: locsOf(doc.urlset, 'url'), sitemaps: locsOf(doc.sitemapindex, 'sitemap') }
}

function locsOf(container: unknown, entryName: string): string[] {
  if (!isRecord(container)) return []
  const entries = container[entryName]
  const urls = new Set<string>()
  for (const entry of Array.isArray(entries) ? entries : []) {
    const url = isRecord(entry) ? httpUrl(entry.loc) : null
    if (url) urls.add(url)
  }
  return [...urls]
}

function httpUrl(loc: unknown): string | null {
  if (typeof loc !== 'string') return null
  try {
    const url = new URL(loc.trim())
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)
