/**
 * The web console behind Cloudflare Access, in a real browser: Cairn as `npm start` serves it with
 * ACCESS_TEAM_DOMAIN pointing at a team served here (a small HTTP server publishing a JWKS of a key the
 * test makes), and Chromium sending a real signed `Cf-Access-Jwt-Assertion` with every request, as
 * Access's edge adds it. A person Access vouches for is signed in with no token and signs out through
 * Access; one no rule covers reads why; a browser Access did not send sees the usual sign-in screen.
 * Each screen is checked with axe and saved at 1280×800 and 390×844 in `test/.screens/`.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { checkScreen, VIEWPORTS } from './screens'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startCairn, type RunningCairn } from './start-cairn'

const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find((p) => existsSync(p))
const screens = path.resolve(import.meta.dirname, '../.screens')
const AUD = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00'
const KID = 'test-key-1'

if (!CHROMIUM) console.warn('console-access.test.ts: skipped — no Chromium found (install Debian `chromium`, or set CHROMIUM_PATH).')

describe.skipIf(!CHROMIUM)('the web console behind Cloudflare Access', () => {
  let team: Server
  let teamDomain: string
  let privateKey: CryptoKey
  let certsFetched = 0
  let cairn: RunningCairn
  let browser: Browser

  beforeAll(async () => {
    mkdirSync(screens, { recursive: true })
    const pair = await generateKeyPair('RS256', { extractable: true })
    privateKey = pair.privateKey
    const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'RS256', use: 'sig' }] }
    team = createServer((req, res) => {
      if (req.url !== '/cdn-cgi/access/certs') return void res.writeHead(404).end()
      certsFetched += 1
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
    })
    await new Promise<void>((resolve) => team.listen(0, '127.0.0.1', resolve))
    teamDomain = `http://127.0.0.1:${(team.address() as AddressInfo).port}`
    const vars = { ACCESS_TEAM_DOMAIN: teamDomain, ACCESS_AUD: AUD, ACCESS_ORG_RULES: 'example.com=acme' }
    const args = ['--inspector-port', String(await freePort()), ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`])]
    cairn = await startCairn({ args, env: { CAIRN_LOCAL_MODELS: 'off' } })
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    })
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await cairn?.stop()
    team?.close()
  })

  /** An assertion as Access signs it for `email`. */
  const assertionFor = (email: string) =>
    new SignJWT({ email, type: 'app', identity_nonce: 'n' })
      .setProtectedHeader({ alg: 'RS256', kid: KID })
      .setIssuer(teamDomain)
      .setAudience([AUD])
      .setSubject(crypto.randomUUID())
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime('1h')
      .sign(privateKey)

  /** A page of a browser context whose every request carries `headers`, as Access's edge adds its assertion. */
  async function browse(headers: Record<string, string> = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: VIEWPORTS.desktop, extraHTTPHeaders: headers })
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    return page
  }


  it('signs a person Access vouches for straight in, with no token, provisioned into their org', async () => {
    const email = `ana.${Date.now()}@example.com`
    const page = await browse({ 'Cf-Access-Jwt-Assertion': await assertionFor(email) })
    await page.goto(`${cairn.base}/`)
    await page.getByRole('heading', { name: 'Files' }).waitFor()
    await expect.poll(() => page.locator('.who').textContent()).toBe(email)
    expect(await page.evaluate<string | null>("localStorage.getItem('cairn.token')")).toBeNull()
    const signOut = page.getByRole('link', { name: 'Sign out' })
    expect(await signOut.getAttribute('href')).toBe('/cdn-cgi/access/logout')
    await checkScreen(page, 'access-signed-in')
    expect(certsFetched).toBe(1)

    // The API names the same person, signed in through Access.
    const me = await (await fetch(`${cairn.base}/v1/users/me`, { headers: { 'cf-access-jwt-assertion': await assertionFor(email) } })).json()
    expect(me).toMatchObject({ email, signed_in_with: 'access', token: null })

    // Their tokens screen works without a token of the console's own.
    await page.getByRole('link', { name: 'Your tokens' }).click()
    await page.getByRole('button', { name: 'Create a token' }).click()
    await page.getByLabel('New token').waitFor()
    await page.context().close()
  })

  it('tells a person no rule covers why Cairn refuses them, on the sign-in screen', async () => {
    const page = await browse({ 'Cf-Access-Jwt-Assertion': await assertionFor('bo@elsewhere.org') })
    await page.goto(`${cairn.base}/`)
    await page.getByRole('alert').filter({ hasText: 'bo@elsewhere.org signed in through Cloudflare Access, but is not a Cairn user' }).waitFor()
    await page.getByRole('heading', { name: 'Cairn' }).waitFor()
    await checkScreen(page, 'access-refused')
    await page.context().close()
  })

  it('shows the usual sign-in screen to a browser Access did not send', async () => {
    const page = await browse()
    await page.goto(`${cairn.base}/`)
    await page.getByLabel('API token').waitFor()
    expect(await page.getByRole('alert').count()).toBe(0)
    await page.context().close()
  })
})
