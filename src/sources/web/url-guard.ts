/**
 * @module The address guard against server-side request forgery: a URL the crawl may fetch is http(s),
 * carries no credentials, and names a host whose every address is public. Loopback can be let through
 * for a local run; private, link-local and the other special ranges never are.
 */
import ipaddr from 'ipaddr.js'
import { SourceAccessError } from '../errors'

export type UrlGuard = {
  /** Lets 127.0.0.0/8, ::1 and `localhost` through: a laptop indexing a site it serves itself. */
  allowLoopback: boolean
  /** Resolves a host name to its addresses so they can be checked; null trusts names and checks literal addresses only. */
  resolve: ((host: string) => Promise<string[]>) | null
}

/** How a refused range reads in a sentence. Ranges not named here are refused as "reserved". */
const RANGE_WORDS: Record<string, string> = {
  loopback: 'a loopback address',
  private: 'a private address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local (private) address',
  carrierGradeNat: 'a carrier-grade NAT (shared) address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  unspecified: 'an unspecified address',
  deprecatedSiteLocal: 'a site-local (private) address',
}

/** Names that only ever mean a machine on this host or its own network (RFC 6761, 6762, 8375; `.internal` by ICANN). */
const LOCAL_SUFFIXES = ['.local', '.internal', '.home.arpa']

/**
 * The URL, parsed, when the crawl may fetch it; otherwise a SourceAccessError saying why.
 *
 * @example
 * await checkCrawlUrl('http://169.254.169.254/latest/meta-data', { allowLoopback: false, resolve: null })
 * // throws: Cairn does not fetch http://169.254.169.254/…: 169.254.169.254 is a link-local address.
 */
export async function checkCrawlUrl(url: string, guard: UrlGuard): Promise<URL> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new SourceAccessError(`'${url}' is not a URL; give an absolute http:// or https:// address.`)
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SourceAccessError(`Cairn only fetches http:// and https:// URLs, not ${parsed.protocol}// (${shown(parsed)}).`)
  }
  if (parsed.username || parsed.password) {
    throw new SourceAccessError(`The URL ${shown(parsed)} carries a user name or password; Cairn fetches only public pages, without credentials.`)
  }
  // WHATWG parsing has already turned 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1, and brackets hold IPv6.
  const host = parsed.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase()
  if (ipaddr.isValid(host)) {
    refuseAddress(parsed, host, host, guard)
    return parsed
  }
  if (host === 'localhost' || host.endsWith('.localhost')) {
    if (guard.allowLoopback) return parsed
    throw new SourceAccessError(`Cairn does not fetch ${shown(parsed)}: ${host} is this machine (loopback).`)
  }
  const suffix = LOCAL_SUFFIXES.find((s) => host.endsWith(s))
  if (suffix) throw new SourceAccessError(`Cairn does not fetch ${shown(parsed)}: names ending in ${suffix} are private to a local network.`)
  if (guard.resolve) {
    const addresses = await guard.resolve(host)
    if (addresses.length === 0) throw new SourceAccessError(`The host ${host} of ${shown(parsed)} has no address in DNS; check the URL.`)
    for (const address of addresses) refuseAddress(parsed, host, address, guard)
  }
  return parsed
}

/** Throws when `address` (which `host` is or resolves to) is not a public unicast address. */
function refuseAddress(url: URL, host: string, address: string, guard: UrlGuard): void {
  const range = rangeOf(address)
  if (range === 'unicast') return
  if (range === 'loopback' && guard.allowLoopback) return
  const words = RANGE_WORDS[range] ?? (range === 'invalid' ? 'not a valid address' : 'a reserved address')
  const what = host === address ? address : `${host} resolves to ${address}, which`
  throw new SourceAccessError(`Cairn does not fetch ${shown(url)}: ${what} is ${words}. Only public addresses can be crawled.`)
}

/**
 * The special range `address` falls in, or 'unicast' for a public address. IPv6 forms that carry an
 * IPv4 address (mapped, translated, 6to4) are judged by that IPv4 address, so ::ffff:127.0.0.1 is loopback.
 */
function rangeOf(address: string): string {
  let ip: ipaddr.IPv4 | ipaddr.IPv6
  try {
    ip = ipaddr.parse(address.replace(/^\[|\]$/g, ''))
  } catch {
    return 'invalid'
  }
  if (ip.kind() === 'ipv4') return ip.range()
  const v6 = ip as ipaddr.IPv6
  const embedded = embeddedIpv4(v6)
  return embedded ? embedded.range() : v6.range()
}

function embeddedIpv4(ip: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = ip.range()
  const parts = ip.parts
  // ::ffff:a.b.c.d, ::ffff:0:a.b.c.d and 64:ff9b::a.b.c.d keep the IPv4 address in the last 32 bits.
  if (range === 'ipv4Mapped' || range === 'rfc6145' || (range === 'rfc6052' && parts[1] === 0xff9b && parts[2] === 0)) return ipv4Of(parts[6]!, parts[7]!)
  // 2002:AABB:CCDD::/48 is 6to4 for AA.BB.CC.DD.
  if (range === '6to4') return ipv4Of(parts[1]!, parts[2]!)
  return null
}

const ipv4Of = (high: number, low: number) => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff])

/** The URL as a message shows it: no credentials, and short. */
function shown(url: URL): string {
  const copy = new URL(url.href)
  copy.username = ''
  copy.password = ''
  const text = copy.href
  return text.length > 120 ? `${text.slice(0, 117)}…` : text
}

/**
 * A resolver asking DNS over HTTPS (Cloudflare's JSON API) for a host's A and AAAA records.
 * Workers have no DNS of their own to ask. Answers are kept for their TTL (at most five minutes), per
 * fetcher: a crawl checks every page's host, and each lookup is a subrequest the Worker pays for.
 *
 * @example
 * await dohResolver()('example.com') // ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c']
 */
export function dohResolver(fetcher: typeof fetch = fetch): (host: string) => Promise<string[]> {
  let known = answerCaches.get(fetcher)
  if (!known) answerCaches.set(fetcher, (known = new Map()))
  const cache = known
  return async (host) => {
    const cached = cache.get(host)
    if (cached && cached.until > Date.now()) return [...cached.addresses]
    // Only settled answers are kept: a promise of another request's I/O must not be awaited in this one.
    const answers = (await Promise.all([lookup(fetcher, host, 'A'), lookup(fetcher, host, 'AAAA')])).filter((a) => a.addresses.length > 0)
    const addresses = answers.flatMap((a) => a.addresses)
    // A name without addresses is asked again next time: it may be about to get some.
    if (answers.length) cache.set(host, { until: Date.now() + Math.min(MAX_TTL_SECONDS, ...answers.map((a) => a.ttlSeconds)) * 1000, addresses })
    return [...addresses]
  }
}

const MAX_TTL_SECONDS = 300
const answerCaches = new WeakMap<typeof fetch, Map<string, { until: number; addresses: string[] }>>()

/** DNS record type numbers (RFC 1035, 3596). */
const RECORD_TYPES = { A: 1, AAAA: 28 } as const
/** NOERROR and NXDOMAIN both answer the question; any other status means the lookup failed. */
const ANSWERED = new Set([0, 3])

type DohAnswer = { Status?: number; Answer?: Array<{ type?: number; data?: string; TTL?: number }> }

async function lookup(fetcher: typeof fetch, host: string, type: keyof typeof RECORD_TYPES): Promise<{ addresses: string[]; ttlSeconds: number }> {
  const url = `https://cloudflare-dns.com/dns-query?name=${encodeURIComponent(host)}&type=${type}`
  let answer: DohAnswer
  try {
    const response = await fetcher(url, { headers: { accept: 'application/dns-json' } })
    if (!response.ok) throw new Error(`DNS over HTTPS answered ${response.status}`)
    answer = (await response.json()) as DohAnswer
  } catch (error) {
    throw new SourceAccessError(`Cairn could not look up the address of ${host} (${error instanceof Error ? error.message : String(error)}); try again later.`)
  }
  if (typeof answer.Status !== 'number' || !ANSWERED.has(answer.Status)) {
    throw new SourceAccessError(`Cairn could not look up the address of ${host} (DNS status ${answer.Status ?? 'missing'}); try again later.`)
  }
  // A CNAME chain comes back in the answer too; only the addresses at its end count.
  const records = (answer.Answer ?? []).filter((record) => record.type === RECORD_TYPES[type] && typeof record.data === 'string')
  const ttls = records.map((record) => (typeof record.TTL === 'number' && record.TTL >= 0 ? record.TTL : 0))
  return { addresses: records.map((record) => record.data!), ttlSeconds: records.length ? Math.min(...ttls) : 0 }
}
