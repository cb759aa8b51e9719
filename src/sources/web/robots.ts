/**
 * @module A site's robots.txt as the crawl asks it: may this URL be fetched, which sitemaps does the
 * site list, how long to wait between requests. Parsing is robots-parser's (RFC 9309 wildcards and all).
 */
import robotsParser from 'robots-parser'

export type RobotsRules = {
  allows(url: string): boolean
  /** Absolute http(s) URLs of the sitemaps the file lists. */
  sitemaps: string[]
  crawlDelaySeconds: number | null
}

/** What a site without a robots.txt (or with one that cannot be read) allows: everything. */
export const ALLOW_ALL: RobotsRules = Object.freeze({ allows: () => true, sitemaps: [], crawlDelaySeconds: null })

/**
 * Rules of `text`, fetched from `robotsUrl`, for the crawler sending `userAgent` (its product token,
 * before the `/`, is what robots.txt groups match).
 *
 * @example
 * parseRobots('https://example.com/robots.txt', 'User-agent: *\nDisallow: /private', 'CairnBot/1.0')
 *   .allows('https://example.com/private/x') // false
 */
export function parseRobots(robotsUrl: string, text: string, userAgent: string): RobotsRules {
  const robot = robotsParser(robotsUrl, text)
  const delay = robot.getCrawlDelay(userAgent)
  return {
    // A URL of another origin is none of this file's business; robots-parser answers undefined for it.
    allows: (url) => robot.isAllowed(url, userAgent) ?? true,
    sitemaps: absoluteSitemaps(robotsUrl, robot.getSitemaps()),
    crawlDelaySeconds: typeof delay === 'number' && Number.isFinite(delay) && delay >= 0 ? delay : null,
  }
}

function absoluteSitemaps(robotsUrl: string, listed: string[]): string[] {
  const urls = new Set<string>()
  for (const entry of listed) {
    try {
      const url = new URL(entry, robotsUrl)
      if (url.protocol === 'http:' || url.protocol === 'https:') urls.add(url.href)
    } catch {
      // A line that is not a URL names no sitemap.
    }
  }
  return [...urls]
}
