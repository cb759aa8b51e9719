import { describe, expect, it } from 'vitest'
import { ALLOW_ALL, parseRobots } from './robots'

const ROBOTS = `
# A comment
User-agent: *
Disallow: /private/
Disallow: /*.pdf$
Allow: /private/open.html

User-agent: CairnBot
Disallow: /no-cairn/
Crawl-delay: 2

Sitemap: https://example.com/sitemap.xml
Sitemap: /relative-sitemap.xml
`

describe('parseRobots', () => {
  const forOthers = parseRobots('https://example.com/robots.txt', ROBOTS, 'OtherBot/2.0')
  const forCairn = parseRobots('https://example.com/robots.txt', ROBOTS, 'CairnBot/1.0 (+https://github.com/cairn)')

  it('refuses a disallowed path and allows the rest', () => {
    expect(forOthers.allows('https://example.com/private/secret.html')).toBe(false)
    expect(forOthers.allows('https://example.com/public/page.html')).toBe(true)
    expect(forOthers.allows('https://example.com/')).toBe(true)
  })

  it('lets a longer Allow win over a Disallow', () => {
    expect(forOthers.allows('https://example.com/private/open.html')).toBe(true)
  })

  it('matches wildcards and the end anchor', () => {
    expect(forOthers.allows('https://example.com/docs/report.pdf')).toBe(false)
    expect(forOthers.allows('https://example.com/docs/report.pdf?download=1')).toBe(true)
  })

  it('applies the group named for the crawler by its product token, not the * group', () => {
    expect(forCairn.allows('https://example.com/no-cairn/page')).toBe(false)
    expect(forCairn.allows('https://example.com/private/secret.html')).toBe(true)
    expect(forCairn.crawlDelaySeconds).toBe(2)
    expect(forOthers.crawlDelaySeconds).toBeNull()
  })

  it('lists sitemaps as absolute URLs', () => {
    expect(forOthers.sitemaps).toEqual(['https://example.com/sitemap.xml', 'https://example.com/relative-sitemap.xml'])
  })

  it('says nothing against URLs of another origin', () => {
    expect(forOthers.allows('https://other.example/private/secret.html')).toBe(true)
  })

  it('reads an empty or garbage file as allowing everything', () => {
    const rules = parseRobots('https://example.com/robots.txt', '<html>not robots</html>\u0000', 'CairnBot/1.0')
    expect(rules.allows('https://example.com/private/x')).toBe(true)
    expect(rules.sitemaps).toEqual([])
  })

  it('ALLOW_ALL allows everything and lists nothing', () => {
    expect(ALLOW_ALL.allows('https://example.com/anything')).toBe(true)
    expect(ALLOW_ALL.sitemaps).toEqual([])
    expect(ALLOW_ALL.crawlDelaySeconds).toBeNull()
  })
})
