import { describe, expect, it } from 'vitest'
import { parseSitemap } from './sitemap'

describe('parseSitemap', () => {
  it('reads the pages of a urlset, trimmed, deduplicated, entities decoded', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>
          https://example.com/
        </loc><lastmod>2024-01-01</lastmod></url>
        <url><loc>https://example.com/a?x=1&amp;y=2</loc></url>
        <url><loc>https://example.com/</loc></url>
        <url><loc>ftp://example.com/file</loc></url>
        <url><loc>not a url</loc></url>
        <url><changefreq>daily</changefreq></url>
      </urlset>`
    expect(parseSitemap(xml)).toEqual({ pages: ['https://example.com/', 'https://example.com/a?x=1&y=2'], sitemaps: [] })
  })

  it('reads a urlset of one url', () => {
    expect(parseSitemap('<urlset><url><loc>https://example.com/only</loc></url></urlset>')).toEqual({ pages: ['https://example.com/only'], sitemaps: [] })
  })

  it('reads the sitemaps of a sitemap index', () => {
    const xml = `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://example.com/sitemap-1.xml</loc></sitemap>
      <sitemap><loc>https://example.com/sitemap-2.xml</loc><lastmod>2024-01-01</lastmod></sitemap>
    </sitemapindex>`
    expect(parseSitemap(xml)).toEqual({ pages: [], sitemaps: ['https://example.com/sitemap-1.xml', 'https://example.com/sitemap-2.xml'] })
  })

  it('reads a sitemap whose namespace has a prefix', () => {
    const xml = `<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9"><sm:url><sm:loc>https://example.com/p</sm:loc></sm:url></sm:urlset>`
    expect(parseSitemap(xml).pages).toEqual(['https://example.com/p'])
  })

  it('keeps a number-looking path as written', () => {
    expect(parseSitemap('<urlset><url><loc>https://example.com/0123</loc></url></urlset>').pages).toEqual(['https://example.com/0123'])
  })

  it('returns empty lists for garbage, never throwing', () => {
    const empty = { pages: [], sitemaps: [] }
    for (const garbage of ['', 'not xml at all', '<urlset><url><loc>', '<html><body>404</body></html>', '<<<>>>&&&', '{"urlset": 1}', '<urlset>text</urlset>', '<urlset><url>https://x</url></urlset>']) {
      expect(parseSitemap(garbage), garbage).toEqual(empty)
    }
  })
})
