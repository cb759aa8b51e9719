/**
 * A small website on 127.0.0.1 for the web source's tests: pages that link to each other, a sitemap
 * listing a page no link reaches, a robots.txt that forbids one path, a page that 404s, a noindex
 * page, a link off the site, a PDF from ../shared/fixtures. Pages answer with ETags and honour
 * If-None-Match. Each test crawls its own site under `/<site>/…`, and may change a page of it with
 * `PUT /__page/<site>/<path>` (body: the new HTML) or remove it with `DELETE /__page/<site>/<path>`.
 * Every request is logged per site, so a test can see what the crawler asked for.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'

const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures')

const page = (title: string, body: string, head = '') => `<!doctype html><html><head><title>${title}</title>${head}</head><body><nav><a href="./">Home</a></nav><main>${body}</main><footer>© Example</footer></body></html>`

/** A fresh site's pages, relative to its root. */
function siteOf(root: string): Map<string, string> {
  return new Map([
    [
      '',
      page(
        'Acme handbook',
        `<h1>Acme handbook</h1><p>Welcome. See <a href="travel">travel policy</a>, <a href="expenses#limits">expenses</a>, <a href="private/salaries">salaries</a>, <a href="missing">an old page</a>, <a href="annual-report.pdf">the annual report</a>, <a href="hidden">a hidden page</a> and <a href="https://elsewhere.example/">a partner</a>.</p>`,
      ),
    ],
    ['travel', page('Travel policy', '<h1>Travel policy</h1><p>Economy class for flights under six hours. Trains are preferred below 500 km.</p><p><a href="travel/visas">Visas</a></p>')],
    ['travel/visas', page('Visas', '<h1>Visas</h1><p>The visa desk files applications within three working days.</p>')],
    ['expenses', page('Expenses', '<h1>Expenses</h1><table><tr><th>Item</th><th>Limit</th></tr><tr><td>Hotel</td><td>180 EUR a night</td></tr><tr><td>Meals</td><td>45 EUR a day</td></tr></table>')],
    ['private/salaries', page('Salaries', '<h1>Salaries</h1><p>Confidential salary bands.</p>')],
    ['hidden', page('Hidden', '<h1>Hidden</h1><p>Drafts nobody should index.</p>', '<meta name="robots" content="noindex">')],
    ['orphan', page('Orphan', '<h1>Security contacts</h1><p>Report incidents to the duty officer on extension 4242.</p>')],
    ['sitemap.xml', `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>@ORIGIN@${root}orphan</loc></url></urlset>`],
  ])
}

export type WebSite = { url: string; close(): Promise<void> }

export async function startWebSite(): Promise<WebSite> {
  const sites = new Map<string, Map<string, string>>()
  const requests = new Map<string, string[]>()
  const pdf = await readFile(path.join(fixtures, 'samples/pdf/normal_4pages.pdf'))
  const body = async (req: IncomingMessage) => {
    const parts: Buffer[] = []
    for await (const part of req) parts.push(part as Buffer)
    return Buffer.concat(parts).toString('utf8')
  }
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const origin = `http://${req.headers.host}`
    const [, first = '', ...rest] = url.pathname.split('/')
    if (first === '__page') {
      const [site = '', ...pagePath] = rest
      const pages = sites.get(site) ?? siteOf(`/${site}/`)
      sites.set(site, pages)
      if (req.method === 'PUT') pages.set(pagePath.join('/'), await body(req))
      else if (req.method === 'DELETE') pages.delete(pagePath.join('/'))
      res.writeHead(204).end()
      return
    }
    if (first === '__requests') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(requests.get(rest[0] ?? '') ?? []))
      return
    }
    // robots.txt lives at the origin's root: it speaks for every site, each of which forbids its own private/.
    if (first === 'robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /*/private/\n')
      return
    }
    const site = first
    const pages = sites.get(site) ?? siteOf(`/${site}/`)
    sites.set(site, pages)
    const log = requests.get(site) ?? []
    requests.set(site, log)
    const pagePath = rest.join('/')
    log.push(`${req.method} /${pagePath}${req.headers['if-none-match'] ? ' (conditional)' : ''}`)
    if (pagePath === 'annual-report.pdf') {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': pdf.length }).end(pdf)
      return
    }
    const text = pages.get(pagePath)
    if (text === undefined) {
      res.writeHead(404, { 'content-type': 'text/html' }).end(page('Not found', '<p>No such page.</p>'))
      return
    }
    const content = text.replaceAll('@ORIGIN@', origin)
    const etag = `"${createHash('sha256').update(content).digest('hex').slice(0, 16)}"`
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end()
      return
    }
    const type = pagePath.endsWith('.xml') ? 'application/xml' : pagePath.endsWith('.txt') ? 'text/plain' : 'text/html; charset=utf-8'
    res.writeHead(200, { 'content-type': type, etag }).end(content)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}
