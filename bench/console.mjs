#!/usr/bin/env node
/**
 * The web console's weight and first paint: builds it and prints each asset's raw and gzipped size;
 * then, under `npm start` on loopback, opens it in Debian's Chromium (playwright-core) signed in and
 * measures first contentful paint and the time until the Files screen shows its list, beside the
 * floor measured in the same run: a one-line HTML page served by a bare Node server on loopback.
 * Run:  npm run bench:console
 * Env:  RUNS=5   page loads measured per page (after one warm-up)
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { createServer } from 'node:http'
import { chromium } from 'playwright-core'
import { buildConsole, CONSOLE_DIST } from '../console/build.mjs'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const runs = Number(process.env.RUNS ?? 5)
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

const sizes = await buildConsole({ quiet: true })
let raw = 0
let gz = 0
console.log('Console assets (console/dist):')
for (const file of ['index.html', ...Object.keys(sizes)]) {
  const bytes = readFileSync(path.join(CONSOLE_DIST, file))
  const zipped = gzipSync(bytes, { level: 9 }).length
  raw += bytes.length
  gz += zipped
  console.log(`  ${file.padEnd(22)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KB   gzip ${(zipped / 1024).toFixed(1).padStart(6)} KB`)
}
console.log(`  ${'total'.padEnd(22)} ${(raw / 1024).toFixed(1).padStart(7)} KB   gzip ${(gz / 1024).toFixed(1).padStart(6)} KB`)

const work = mkdtempSync(path.join(tmpdir(), 'cairn-console-bench-'))
const log = path.join(work, 'cairn.log')
console.log(`\nStarting Cairn on ${base} (log: ${log})…`)
const { child, token } = await startCairn({ root, port, persistTo: path.join(work, 'state'), log, args: ['--no-local-models', '--inspector-port', String(port + 1)] })
const floor = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>floor</title><h1>Hello</h1>'))
await new Promise((r) => floor.listen(0, '127.0.0.1', r))
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
try {
  /** One cold load in a fresh context: first contentful paint, and when `ready` is visible. */
  async function load(url, ready, init) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    if (init) await context.addInitScript(init.script, init.arg)
    const page = await context.newPage()
    const started = Date.now()
    await page.goto(url)
    await page.locator(ready).first().waitFor({ timeout: 60_000 })
    const readyMs = Date.now() - started
    const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null)
    await context.close()
    return { fcp, readyMs }
  }
  const pages = [
    { name: 'console, signed in (Files list)', url: `${base}/#/files`, ready: 'text=No files yet', init: { script: (t) => localStorage.setItem('cairn.token', t), arg: token } },
    { name: 'one-line page, bare Node (floor)', url: `http://127.0.0.1:${floor.address().port}/`, ready: 'h1' },
  ]
  const results = {}
  for (const p of pages) {
    await load(p.url, p.ready, p.init)
    const samples = []
    for (let i = 0; i < runs; i++) samples.push(await load(p.url, p.ready, p.init))
    results[p.name] = { fcp: median(samples.map((s) => s.fcp)), ready: median(samples.map((s) => s.readyMs)) }
  }
  console.log(`\nFirst paint on loopback, median of ${runs} cold loads each:`)
  for (const [name, r] of Object.entries(results)) console.log(`  ${name.padEnd(34)} first contentful paint ${String(Math.round(r.fcp)).padStart(5)} ms   ready ${String(r.ready).padStart(5)} ms`)
  const [consoleResult, bare] = Object.values(results)
  console.log(`  console ÷ floor: first paint ${(consoleResult.fcp / bare.fcp).toFixed(2)}×, ready ${(consoleResult.ready / bare.ready).toFixed(2)}×`)
} finally {
  await browser.close()
  floor.close()
  stopCairn(child)
}
