/**
 * A website source against a real HTTP server on 127.0.0.1 (test/web-site/server.ts): the crawl follows
 * same-site links to its depth, reads the sitemap, honours robots.txt and noindex, skips what 404s and
 * what is off the site, stores pages as Markdown named by their URL and a linked PDF as it is. A
 * re-crawl asks with the pages' ETags, and reflects a changed and a removed page. Addresses the guard
 * refuses are refused when the source is connected.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, unique, waitForIngestAll } from './api-client'
import { filesOfSource, waitForSync } from './source-client'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
const origin = inject('webSiteUrl')
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

async function crawl(site: string, settings: Record<string, unknown> = {}) {
  const name = unique('web')
  const source = await callJson('POST', '/sources', { token: w.writer.token, body: { type: 'web', name, workspace: w.ws, settings: { url: `${origin}/${site}/`, ...settings } } })
  return { name, source }
}

const requestsOf = async (site: string): Promise<string[]> => (await fetch(`${origin}/__requests/${site}`)).json()

describe('a website, crawled', () => {
  it('follows same-site links to its depth, reads the sitemap, honours robots.txt and noindex, and stores pages as Markdown', async () => {
    const site = unique('site')
    const { name, source } = await crawl(site, { sitemap_url: `${origin}/${site}/sitemap.xml`, max_depth: 1 })
    const synced = await waitForSync(w.writer.token, source.id)
    expect(synced.status, synced.status_details).toBe('idle')
    const files = await filesOfSource(w.writer.token, w.ws, name)
    const base = `${origin}/${site}/`
    expect(files.map((f) => f.filename).sort()).toEqual([base, `${base}annual-report.pdf`, `${base}expenses`, `${base}orphan`, `${base}travel`].sort())
    // Depth 1: the visas page is two links away. robots.txt forbids private/; hidden says noindex; missing 404s.
    const asked = await requestsOf(site)
    expect(asked).not.toContain('GET /private/salaries')
    expect(asked).not.toContain('GET /travel/visas')
    expect(asked).toContain('GET /missing')
    expect(synced.last_sync).toMatchObject({ added: 5, failed: 0 })

    const expenses = files.find((f) => f.filename === `${base}expenses`)
    expect(expenses.metadata).toEqual({ source: name, url: `${base}expenses` })
    const ready = await waitForIngestAll(w.writer.token, w.ws, files.map((f) => f.id))
    expect(ready.map((f) => [f.filename, f.status])).toEqual(files.map((f) => [f.filename, 'processed']))
    const markdown = await (await call('GET', `/files/${expenses.id}/content`, { token: w.writer.token })).text()
    expect(markdown).toMatch(/^# Expenses/m)
    expect(markdown).toContain('180 EUR a night')
    expect(markdown).not.toContain('© Example')

    const hits = await callJson('POST', '/chat/completions', {
      token: w.writer.token,
      body: {
        model: 'l0-retrieval',
        workspace: w.ws,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'hotel limit per night' }, { type: 'filter', filter: `metadata.source = '${name}'`, top_k: 3 }] }],
      },
    })
    expect(JSON.stringify(hits)).toContain(`${base}expenses`)
  })

  it('a re-crawl asks with ETags, and reflects a changed page and a removed one', async () => {
    const site = unique('site')
    const { name, source } = await crawl(site, { max_depth: 1 })
    await waitForSync(w.writer.token, source.id)
    const before = await filesOfSource(w.writer.token, w.ws, name)
    const base = `${origin}/${site}/`
    expect(before.map((f) => f.filename).sort()).toEqual([base, `${base}annual-report.pdf`, `${base}expenses`, `${base}travel`].sort())

    await fetch(`${origin}/__page/${site}/travel`, { method: 'PUT', body: '<html><head><title>Travel policy</title></head><body><h1>Travel policy</h1><p>Business class above eight hours.</p></body></html>' })
    await fetch(`${origin}/__page/${site}/expenses`, { method: 'DELETE' })
    await callJson('POST', `/sources/${source.id}/sync`, { token: w.writer.token })
    const second = await waitForSync(w.writer.token, source.id)
    expect(second.last_sync).toMatchObject({ added: 0, updated: 1, removed: 1, failed: 0, unchanged: 2 })
    const asked = await requestsOf(site)
    expect(asked.filter((r) => r === 'GET / (conditional)')).toHaveLength(1)

    const after = await filesOfSource(w.writer.token, w.ws, name)
    expect(after.map((f) => f.filename).sort()).toEqual([base, `${base}annual-report.pdf`, `${base}travel`].sort())
    const travel = after.find((f) => f.filename === `${base}travel`)
    expect(await (await call('GET', `/files/${travel.id}/content`, { token: w.writer.token })).text()).toContain('Business class above eight hours')
  })

  it('max_pages bounds the crawl', async () => {
    const { name, source } = await crawl(unique('site'), { max_depth: 3, max_pages: 2 })
    await waitForSync(w.writer.token, source.id)
    expect(await filesOfSource(w.writer.token, w.ws, name)).toHaveLength(2)
  })

  it('private, link-local and credentialed addresses are refused when the source is connected', async () => {
    for (const url of ['http://10.0.0.5/', 'http://169.254.169.254/latest/meta-data/', 'http://[fd00::1]/', 'http://user:pw@127.0.0.1/']) {
      const res = await call('POST', '/sources', { token: w.writer.token, body: { type: 'web', name: unique('web'), workspace: w.ws, settings: { url } } })
      expect(res.status, url).toBe(422)
      const body = (await res.json()) as any
      expect(body.error.code, url).toBe('source_unreachable')
    }
  })
})
