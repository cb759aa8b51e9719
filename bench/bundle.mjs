#!/usr/bin/env node
/**
 * Bundle sizes: builds both Workers with `wrangler deploy --dry-run` and prints each bundle's raw and
 * gzipped size, beside a minimal Hono Worker built in the same run, and against the 600 KB goal for
 * the API Worker (Workers' limits: 3 MB gzipped on the free plan, 10 MB paid).
 * Run: npm run bench:bundle
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { buildConsole } from '../console/build.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const wrangler = path.join(root, 'node_modules', '.bin', 'wrangler')
const out = mkdtempSync(path.join(tmpdir(), 'cairn-bundle-'))
const API_GOAL_KB = 600

// The API Worker's config names the console's built files as its static assets: they must exist.
await buildConsole({ quiet: true })

function build(name, args) {
  const outdir = path.join(out, name)
  const result = spawnSync(wrangler, ['deploy', '--dry-run', '--outdir', outdir, ...args], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    encoding: 'utf8',
  })
  if (result.status !== 0) throw new Error(`${name}: ${result.stderr || result.stdout}`)
  // Everything wrangler would upload: the entry and any extra modules (wasm, chunks); not maps or the README.
  const files = readdirSync(outdir).filter((f) => !f.endsWith('.map') && f !== 'README.md')
  const raw = files.reduce((n, f) => n + statSync(path.join(outdir, f)).size, 0)
  const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(path.join(outdir, f)), { level: 9 }).length, 0)
  return { name, raw, gzip }
}

const kb = (n) => (n / 1024).toFixed(1)
const baseline = build('baseline (Hono hello)', ['-c', 'bench/baseline/wrangler.toml'])
const rows = [baseline, build('API Worker', ['-c', 'wrangler.toml', '--env=']), build('ingest Worker', ['-c', 'workers/ingest/wrangler.toml', '--env='])]

console.log('bundle                     raw KB   gzip KB   × baseline gzip')
for (const r of rows) {
  console.log(`${r.name.padEnd(26)} ${kb(r.raw).padStart(7)}  ${kb(r.gzip).padStart(8)}   ${(r.gzip / baseline.gzip).toFixed(1).padStart(6)}`)
}
const api = rows[1]
console.log(`\nAPI Worker gzip: ${kb(api.gzip)} KB of the ${API_GOAL_KB} KB goal (${((api.gzip / 1024 / API_GOAL_KB) * 100).toFixed(0)} %).`)
