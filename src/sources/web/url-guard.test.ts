import { describe, expect, it } from 'vitest'
import { SourceAccessError } from '../errors'
import { checkCrawlUrl, dohResolver, type UrlGuard } from './url-guard'

const DEPLOYED: UrlGuard = { allowLoopback: false, resolve: null }
const LOCAL: UrlGuard = { allowLoopback: true, resolve: null }

/** The message checkCrawlUrl refuses `url` with; fails the test when it is let through or throws something else. */
async function refusal(url: string, guard: UrlGuard = DEPLOYED): Promise<string> {
  const error = await checkCrawlUrl(url, guard).then(
    () => null,
    (e: unknown) => e,
  )
  expect(error, `${url} should be refused`).toBeInstanceOf(SourceAccessError)
  return (error as SourceAccessError).message
}

describe('checkCrawlUrl', () => {
  it('lets a public URL through, parsed', async () => {
    const url = await checkCrawlUrl('https://example.com/docs?x=1', DEPLOYED)
    expect(url.href).toBe('https://example.com/docs?x=1')
    expect((await checkCrawlUrl('http://93.184.215.14/', DEPLOYED)).hostname).toBe('93.184.215.14')
    expect((await checkCrawlUrl('http://[2606:4700::1111]/', DEPLOYED)).hostname).toBe('[2606:4700::1111]')
  })

  it('refuses what is not an http(s) URL', async () => {
    expect(await refusal('not a url')).toMatch(/is not a URL/)
    expect(await refusal('ftp://example.com/file')).toMatch(/only fetches http:\/\/ and https:\/\/ URLs, not ftp:/)
    expect(await refusal('file:///etc/passwd')).toMatch(/not file:/)
  })

  it('refuses credentials, without repeating them', async () => {
    const message = await refusal('https://admin:hunter2@example.com/')
    expect(message).toMatch(/user name or password/)
    expect(message).not.toContain('hunter2')
  })

  it('refuses private, loopback, link-local and other special IPv4 addresses', async () => {
    expect(await refusal('http://10.0.0.1')).toMatch(/10\.0\.0\.1 is a private address/)
    expect(await refusal('http://172.16.5.4/')).toMatch(/private address/)
    expect(await refusal('http://192.168.1.1/')).toMatch(/private address/)
    expect(await refusal('http://127.0.0.1:8787/')).toMatch(/loopback/)
    expect(await refusal('http://169.254.169.254/latest/meta-data/')).toMatch(/169\.254\.169\.254 is a link-local address/)
    expect(await refusal('http://100.64.0.1/')).toMatch(/carrier-grade NAT/)
    expect(await refusal('http://0.0.0.0/')).toMatch(/unspecified/)
    expect(await refusal('http://224.0.0.1/')).toMatch(/multicast/)
    expect(await refusal('http://255.255.255.255/')).toMatch(/broadcast/)
    expect(await refusal('http://192.0.2.1/')).toMatch(/reserved/)
    expect(await refusal('http://240.0.0.1/')).toMatch(/reserved/)
  })

  it('refuses IPv4 written as one number, in octal or in hex', async () => {
    expect(await refusal('http://2130706433/')).toMatch(/127\.0\.0\.1 is a loopback address/)
    expect(await refusal('http://0177.0.0.1/')).toMatch(/127\.0\.0\.1 is a loopback/)
    expect(await refusal('http://0x7f.1/')).toMatch(/127\.0\.0\.1 is a loopback/)
    expect(await refusal('http://0xa9fea9fe/')).toMatch(/169\.254\.169\.254 is a link-local/)
    expect(await refusal('http://167772161/')).toMatch(/10\.0\.0\.1 is a private/)
  })

  it('refuses special IPv6 addresses, and IPv6 forms of special IPv4 ones', async () => {
    expect(await refusal('http://[::1]/')).toMatch(/loopback/)
    expect(await refusal('http://[fd00::1]')).toMatch(/unique-local/)
    expect(await refusal('http://[fe80::1]/')).toMatch(/link-local/)
    expect(await refusal('http://[::]/')).toMatch(/unspecified/)
    expect(await refusal('http://[ff02::1]/')).toMatch(/multicast/)
    expect(await refusal('http://[::ffff:127.0.0.1]/')).toMatch(/loopback/)
    expect(await refusal('http://[::ffff:a9fe:a9fe]/')).toMatch(/link-local/)
    expect(await refusal('http://[64:ff9b::10.0.0.1]/')).toMatch(/private/)
    expect(await refusal('http://[2002:c0a8:101::1]/')).toMatch(/private/)
    expect(await refusal('http://[2001:db8::1]/')).toMatch(/reserved/)
  })

  it('refuses names that mean this machine or its local network', async () => {
    expect(await refusal('http://localhost:8787/')).toMatch(/loopback/)
    expect(await refusal('http://LOCALHOST./')).toMatch(/loopback/)
    expect(await refusal('http://app.localhost/')).toMatch(/loopback/)
    expect(await refusal('http://printer.local/')).toMatch(/\.local are private/)
    expect(await refusal('http://metadata.google.internal/')).toMatch(/\.internal are private/)
  })

  it('lets loopback through for a local run, but nothing else private', async () => {
    expect((await checkCrawlUrl('http://127.0.0.1:8787/docs', LOCAL)).port).toBe('8787')
    expect((await checkCrawlUrl('http://localhost:3000/', LOCAL)).hostname).toBe('localhost')
    expect((await checkCrawlUrl('http://[::1]/', LOCAL)).hostname).toBe('[::1]')
    expect((await checkCrawlUrl('http://2130706433/', LOCAL)).hostname).toBe('127.0.0.1')
    expect(await refusal('http://10.0.0.1/', LOCAL)).toMatch(/private/)
    expect(await refusal('http://169.254.169.254/', LOCAL)).toMatch(/link-local/)
    expect(await refusal('http://[fd00::1]/', LOCAL)).toMatch(/unique-local/)
    expect(await refusal('http://router.local/', LOCAL)).toMatch(/\.local/)
  })

  it('checks every address a name resolves to', async () => {
    const asked: string[] = []
    const resolve = async (host: string) => {
      asked.push(host)
      return host === 'sneaky.example' ? ['93.184.215.14', '10.1.2.3'] : host === 'loop.example' ? ['127.0.0.1'] : ['93.184.215.14', '2606:2800:220:1::1']
    }
    expect(await refusal('https://sneaky.example/', { allowLoopback: false, resolve })).toMatch(/sneaky\.example resolves to 10\.1\.2\.3, which is a private address/)
    expect(await refusal('https://loop.example/', { allowLoopback: false, resolve })).toMatch(/loopback/)
    expect((await checkCrawlUrl('https://loop.example/', { allowLoopback: true, resolve })).hostname).toBe('loop.example')
    expect((await checkCrawlUrl('https://public.example/', { allowLoopback: false, resolve })).hostname).toBe('public.example')
    expect(asked).toEqual(['sneaky.example', 'loop.example', 'loop.example', 'public.example'])
  })

  it('refuses a name with no address, and does not resolve literal addresses', async () => {
    const resolve = async () => {
      throw new Error('a literal address must not be resolved')
    }
    expect(await refusal('https://nowhere.example/', { allowLoopback: false, resolve: async () => [] })).toMatch(/no address in DNS/)
    expect((await checkCrawlUrl('http://93.184.215.14/', { allowLoopback: false, resolve })).hostname).toBe('93.184.215.14')
  })
})

describe('dohResolver', () => {
  /** A DNS-over-HTTPS server answering from `records`, recording what it was asked. */
  function fakeDoh(records: Record<string, { Status: number; Answer?: Array<{ type: number; data: string; TTL?: number }> }>, asked: Request[] = []): typeof fetch {
    return async (input, init) => {
      const request = new Request(input, init)
      asked.push(request)
      const url = new URL(request.url)
      const answer = records[`${url.searchParams.get('name')} ${url.searchParams.get('type')}`] ?? { Status: 0 }
      return Response.json(answer)
    }
  }

  it('asks for A and AAAA records and returns the addresses, leaving CNAMEs out', async () => {
    const asked: Request[] = []
    const fetcher = fakeDoh(
      {
        'www.example.com A': { Status: 0, Answer: [{ type: 5, data: 'example.com.' }, { type: 1, data: '93.184.215.14' }] },
        'www.example.com AAAA': { Status: 0, Answer: [{ type: 28, data: '2606:2800:220:1::1' }] },
      },
      asked,
    )
    expect(await dohResolver(fetcher)('www.example.com')).toEqual(['93.184.215.14', '2606:2800:220:1::1'])
    expect(asked.map((r) => r.url).sort()).toEqual(['https://cloudflare-dns.com/dns-query?name=www.example.com&type=A', 'https://cloudflare-dns.com/dns-query?name=www.example.com&type=AAAA'])
    expect(asked.every((r) => r.headers.get('accept') === 'application/dns-json')).toBe(true)
  })

  it('returns no addresses for a name that does not exist', async () => {
    expect(await dohResolver(fakeDoh({ 'gone.example A': { Status: 3 }, 'gone.example AAAA': { Status: 3 } }))('gone.example')).toEqual([])
  })

  it('throws SourceAccessError when the lookup fails', async () => {
    const servfail = dohResolver(fakeDoh({ 'broken.example A': { Status: 2 } }))
    await expect(servfail('broken.example')).rejects.toThrow(SourceAccessError)
    await expect(servfail('broken.example')).rejects.toThrow(/could not look up the address of broken\.example \(DNS status 2\)/)
    const down = dohResolver(async () => new Response('busy', { status: 503 }))
    await expect(down('example.com')).rejects.toThrow(/DNS over HTTPS answered 503/)
    const offline = dohResolver(async () => {
      throw new TypeError('Network connection lost.')
    })
    await expect(offline('example.com')).rejects.toThrow(SourceAccessError)
  })

  it('keeps an answer for its TTL, and asks again for a name without addresses', async () => {
    const asked: Request[] = []
    const fetcher = fakeDoh(
      {
        'cached.example A': { Status: 0, Answer: [{ type: 1, data: '93.184.215.14', TTL: 60 }] },
        'fleeting.example A': { Status: 0, Answer: [{ type: 1, data: '93.184.215.15', TTL: 0 }] },
      },
      asked,
    )
    const resolve = dohResolver(fetcher)
    expect(await resolve('cached.example')).toEqual(['93.184.215.14'])
    expect(await resolve('cached.example')).toEqual(['93.184.215.14'])
    expect(await dohResolver(fetcher)('cached.example')).toEqual(['93.184.215.14'])
    expect(asked).toHaveLength(2)
    await resolve('fleeting.example')
    await resolve('fleeting.example')
    expect(asked).toHaveLength(6)
    await resolve('empty.example')
    await resolve('empty.example')
    expect(asked).toHaveLength(10)
  })

  it('guards a crawl: a name resolving to the metadata address is refused', async () => {
    const fetcher = fakeDoh({ 'metadata.example A': { Status: 0, Answer: [{ type: 1, data: '169.254.169.254' }] } })
    expect(await refusal('http://metadata.example/', { allowLoopback: false, resolve: dohResolver(fetcher) })).toMatch(/resolves to 169\.254\.169\.254, which is a link-local address/)
  })
})
