/**
 * The web console end to end, in a real browser: Debian's Chromium driven by playwright-core against
 * Cairn as `npm start` serves it, its reasoning model the scripted OpenAI-compatible server of the
 * agent bench. Signs in with the printed one-time link, uploads three sample files, watches them reach
 * `processed`, asks a question, follows a citation to its page and its boxes; a bad filter, a damaged
 * file, usage and signing out too. Every screen is checked with axe and saved as a screenshot at 1280×800
 * and 390×844 in `test/.screens/`. Skipped, saying so, where no Chromium is installed.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serveScriptedModel } from '../../bench/lib/scripted-model.mjs'
import { checkScreen as checkScreenOf, VIEWPORTS } from './screens'
import { freePort, startCairn, type RunningCairn } from './start-cairn'

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p))
const fixtures = path.resolve(import.meta.dirname, '../../../shared/fixtures')
const screens = path.resolve(import.meta.dirname, '../.screens')
const SAMPLES = ['samples/pdf/multi_page.pdf', 'samples/markdown/wiki.md', 'samples/markdown/duck.md'].map((f) => path.join(fixtures, f))
const DAMAGED = path.join(fixtures, 'hostile/pdf/encryption_openpassword.pdf')

if (!CHROMIUM) console.warn('console.test.ts: skipped — no Chromium found (install Debian `chromium`, or set CHROMIUM_PATH).')

describe.skipIf(!CHROMIUM)('the web console in a real browser', () => {
  let cairn: RunningCairn
  let model: Awaited<ReturnType<typeof serveScriptedModel>>
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    mkdirSync(screens, { recursive: true })
    model = await serveScriptedModel({ latencyMs: 20 })
    const vars = { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${model.url}/v1`, REASONING_MODEL: 'scripted-reasoner' }
    const args = ['--inspector-port', String(await freePort()), ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])]
    cairn = await startCairn({ args, env: { CAIRN_LOCAL_MODELS: 'off' } })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
    // Axe needs a page of an explicit context.
    page = await (await browser.newContext({ viewport: VIEWPORTS.desktop })).newPage()
    page.setDefaultTimeout(20_000)
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await cairn?.stop()
    model?.server.close()
  })

  const api = async (method: string, pathname: string) =>
    (await fetch(`${cairn.base}${pathname}`, { method, headers: { authorization: `Bearer ${cairn.token}` } })).json() as Promise<any>

  const checkScreen = (name: string) => checkScreenOf(page, name)

  it('serves the console to a browser at / with a strict CSP, and leaves API clients their JSON', async () => {
    const html = await fetch(`${cairn.base}/`, { headers: { accept: 'text/html' } })
    expect(html.status).toBe(200)
    expect(html.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await html.text()).toContain('/console/app.js')
    const api = await fetch(`${cairn.base}/`, { headers: { accept: 'application/json' } })
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('invalid_api_key')
  })

  it('signs in with the printed one-time link, which then no longer works', async () => {
    expect(cairn.signInLink).toMatch(/#code=signin_/)
    await page.goto(`${cairn.base}/`)
    // Without a token the console first asks whether Cloudflare Access signed the browser in.
    await page.getByLabel('API token').waitFor()
    await checkScreen('sign-in')
    await page.goto(cairn.signInLink!)
    await page.getByRole('heading', { name: 'Files' }).waitFor()
    expect(page.url()).not.toContain('code=')
    expect(await page.evaluate<string | null>("localStorage.getItem('cairn.token')")).toMatch(/^cairn_/)
    const reuse = await fetch(`${cairn.base}/v1/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: cairn.signInLink!.split('#code=')[1] }) })
    expect(reuse.status).toBe(422)
  })

  it('uploads three files and shows them reach processed; a damaged file shows its sentence', async () => {
    await page.getByTestId('file-input').setInputFiles([...SAMPLES, DAMAGED])
    for (const file of SAMPLES) {
      await page.locator(`tr[data-file="${path.basename(file)}"] [data-status="processed"]`).waitFor({ timeout: 120_000 })
    }
    const failed = page.locator(`tr[data-file="${path.basename(DAMAGED)}"]`)
    await failed.locator('[data-status="error"]').waitFor({ timeout: 120_000 })
    // The sentence Cairn stored, shown as it is.
    expect(await failed.locator('.detail').textContent()).toMatch(/encrypted and needs a password/)
    await checkScreen('files')
  }, 300_000)

  it('shows a bad filter its error with a caret at the column', async () => {
    await page.getByLabel('Filter by metadata').fill("author = 'Ada' and and")
    await page.getByRole('button', { name: 'Apply' }).click()
    const error = page.locator('#files-filter-error')
    await error.waitFor()
    const text = (await error.textContent()) ?? ''
    const column = Number(/at column (\d+)/.exec(text)?.[1])
    expect(column).toBeGreaterThan(1)
    const caretLine = ((await error.locator('pre').textContent()) ?? '').split('\n')[1]!
    expect(caretLine.indexOf('^') + 1).toBe(column)
    await page.getByLabel('Filter by metadata').fill('')
    await page.getByRole('button', { name: 'Apply' }).click()
  })

  it('opens a file: its pages and metadata', async () => {
    await page.getByRole('link', { name: 'multi_page.pdf' }).click()
    await page.getByRole('heading', { name: 'multi_page.pdf' }).waitFor()
    await page.getByRole('img', { name: 'Page 1' }).waitFor({ timeout: 60_000 })
    await page.getByLabel(/^Metadata/).fill('{"topic": "typewriters"}')
    await page.getByRole('button', { name: 'Save metadata' }).click()
    await page.getByText('Metadata saved.').waitFor()
    await checkScreen('file')
  }, 120_000)

  it('asks l0: the answer streams, and a citation opens its page with the passage boxed', async () => {
    await page.getByRole('link', { name: 'Ask' }).click()
    await page.getByLabel('Question').fill('When was the typewriter patented, and by whom?')
    await page.getByLabel('Filter (optional)').fill("filename = 'multi_page.pdf'")
    await page.getByRole('button', { name: 'Ask' }).click()
    const citation = page.getByTestId('citation').first()
    await citation.waitFor({ timeout: 120_000 })
    await page.locator('.answer[aria-busy="false"]').waitFor({ timeout: 60_000 })
    expect(await page.getByTestId('answer').textContent()).toMatch(/\[1\]/)
    await expect.poll(() => page.locator('details.reasoning pre').textContent()).toMatch(/\S/)
    await checkScreen('ask')
    // From the keyboard: focus the marker, open it with Enter.
    await citation.focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog')
    try {
      await dialog.getByRole('img').waitFor({ timeout: 60_000 })
      await checkScreen('citation')
      const boxes = dialog.getByTestId('evidence-box')
      expect(await boxes.count()).toBeGreaterThan(0)
      const image = await dialog.getByRole('img').boundingBox()
      const box = await boxes.first().boundingBox()
      // The box is drawn where the stored answer's citation says, as fractions of the page picture.
      const stored = await api('GET', '/v1/chat/completions?order=desc&limit=1')
      const answer = await api('GET', `/v1/chat/completions/${stored.data[0].id}`)
      const cited = answer.choices[0].message.annotations.find((a: { text: string }) => a.text === '[1]').file_citation
      expect(cited.filename).toBe('multi_page.pdf')
      const first = cited.boxes[0]
      expect((box!.x - image!.x) / image!.width).toBeCloseTo(first.x, 2)
      expect((box!.y - image!.y) / image!.height).toBeCloseTo(first.y, 2)
      expect(box!.width / image!.width).toBeCloseTo(first.w, 2)
    } finally {
      await page.keyboard.press('Escape')
    }
    await expect.poll(() => dialog.count()).toBe(0)
  }, 240_000)

  it('searches only, showing the top passages with their scores', async () => {
    await page.getByLabel('Search only').check()
    await page.getByLabel('Filter (optional)').fill('')
    await page.getByLabel('Question').fill('typewriter patent')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.getByTestId('hit').first().waitFor({ timeout: 60_000 })
    expect(await page.locator('.score').first().textContent()).toMatch(/^\d\.\d{4}$/)
  }, 120_000)

  it('keeps the answer in History, where it can be renamed and replayed', async () => {
    await page.getByRole('link', { name: 'History' }).click()
    await page.getByRole('link', { name: /typewriter patented/ }).click()
    // The stored answer is loaded (its title fills the field) before the field is typed into.
    await page.getByRole('heading', { name: /typewriter patented/ }).waitFor()
    await expect.poll(() => page.getByLabel('Title').inputValue()).toMatch(/typewriter patented/)
    await page.getByLabel('Title').fill('Typewriter patent')
    await page.getByRole('button', { name: 'Rename' }).click()
    await page.getByText('Renamed.').waitFor()
    await page.getByRole('heading', { name: 'Typewriter patent' }).waitFor()
    await page.getByRole('button', { name: 'Replay the stream' }).click()
    await page.getByTestId('citation').first().waitFor({ timeout: 60_000 })
    await checkScreen('history')
  }, 120_000)

  it('creates a token shown once, and lists the workspace members', async () => {
    await page.getByRole('link', { name: 'Your tokens' }).click()
    await page.getByLabel('Name').fill('laptop')
    await page.getByRole('button', { name: 'Create a token' }).click()
    const value = await page.getByLabel('New token').inputValue()
    expect((await fetch(`${cairn.base}/v1/models`, { headers: { authorization: `Bearer ${value}` } })).status).toBe(200)
    await checkScreen('tokens')
    await page.getByRole('link', { name: 'Members' }).click()
    await page.getByRole('heading', { name: /Members of/ }).waitFor()
    await checkScreen('members')
  }, 120_000)

  it('connects a website as a source, watches its sync end, and sees what it did', async () => {
    const site = createServer((req, res) => {
      const pages: Record<string, string> = {
        '/': '<html><head><title>Wiki</title></head><body><main><h1>Wiki</h1><p><a href="/ducks">Ducks</a></p></main></body></html>',
        '/ducks': '<html><head><title>Ducks</title></head><body><main><h1>Ducks</h1><p>Mallards dabble.</p></main></body></html>',
      }
      const body = pages[req.url ?? '']
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/html' }).end(body ?? '')
    })
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
    try {
      await page.getByRole('link', { name: 'Sources' }).click()
      await page.getByRole('heading', { name: 'Sources' }).waitFor()
      await page.getByLabel('Name').fill('wiki')
      await page.getByLabel('Start URL').fill(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`)
      await page.getByRole('button', { name: 'Connect', exact: true }).click()
      await page.getByText('Connected wiki; its first sync has started.').waitFor()
      await page.getByText('2 added, 0 updated, 0 removed, 0 failed, 0 unchanged').waitFor({ timeout: 60_000 })
      await page.locator('[data-status="idle"]').waitFor()
      const { data } = await api('GET', '/v1/sources?workspace=default')
      expect(data.map((s: { name: string }) => s.name)).toContain('wiki')
      await checkScreen('sources')
      // A refusal shows Cairn's sentence, naming the field.
      await page.getByLabel('Name').fill('private')
      await page.getByLabel('Start URL').fill('http://10.1.2.3/')
      await page.getByRole('button', { name: 'Connect', exact: true }).click()
      await page.getByRole('alert').filter({ hasText: /10\.1\.2\.3/ }).waitFor()
    } finally {
      site.close()
    }
  }, 120_000)

  it('shows usage per day for the last 30 days, its tokens those the model server reported', async () => {
    await page.getByRole('link', { name: 'Usage' }).click()
    await page.getByRole('heading', { name: 'Usage' }).waitFor()
    const footer = page.locator('table.usage tfoot td')
    await footer.first().waitFor()
    // Every call the scripted model answered reported 100 tokens in and 20 out.
    const calls = Object.values((await (await fetch(`${model.url}/__calls`)).json()) as Record<string, unknown[]>).flat().length
    expect(calls).toBeGreaterThan(0)
    const report = await api('GET', '/v1/usage')
    expect(report.totals).toMatchObject({ reasoning_calls: calls, reasoning_input_tokens: 100 * calls, reasoning_output_tokens: 20 * calls })
    expect(report.totals.completions).toBeGreaterThan(0)
    const digits = (texts: string[]) => texts.map((t) => t.replace(/\D/g, ''))
    // The total row: questions, tokens in, tokens out.
    expect(digits((await footer.allTextContents()).slice(0, 3))).toEqual([report.totals.completions, 100 * calls, 20 * calls].map(String))
    const today = new Date().toISOString().slice(0, 10)
    expect(report.data.at(-1).day).toBe(today)
    await page.locator('table.usage tbody th', { hasText: today }).waitFor()
    await checkScreen('usage')
    // Only the workspace in use: the same here, where everything was done in `default`.
    await page.getByLabel('Show').selectOption('one')
    await page.locator('table.usage tbody th', { hasText: today }).waitFor()
  })

  it('signs out: the token is revoked and the session cleared', async () => {
    const token = await page.evaluate<string | null>("localStorage.getItem('cairn.token')")
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('heading', { name: 'Cairn' }).waitFor()
    expect(await page.evaluate<string | null>("localStorage.getItem('cairn.token')")).toBeNull()
    expect((await fetch(`${cairn.base}/v1/models`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401)
  })
})
