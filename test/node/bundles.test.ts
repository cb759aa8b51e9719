/**
 * Both Workers build with `wrangler deploy --dry-run` (what `npm run deploy` uploads), and the API
 * Worker's bundle stays free of the ingest Worker's heavy parsers.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const wrangler = path.join(root, 'node_modules/.bin/wrangler')

function dryRun(config: string) {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cairn-dry-'))
  const result = spawnSync(wrangler, ['deploy', '--dry-run', '-c', config, '--env=', '--outdir', outdir], {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    encoding: 'utf8',
  })
  return { ...result, outdir }
}

describe('dry-run bundles', () => {
  it('the API Worker builds, with its Durable Object, and without the ingest parsers', () => {
    const r = dryRun('wrangler.toml')
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain('env.COMPLETIONS (CompletionRun)')
    expect(r.stdout).toContain('env.VECTORS (cairn-chunks)')
    const bundle = readFileSync(path.join(r.outdir, 'index.js'), 'utf8')
    expect(bundle).toContain('// node_modules/hono/')
    for (const heavy of ['unpdf', 'fast-xml-parser', 'papaparse']) expect(bundle).not.toContain(`// node_modules/${heavy}/`)
  })

  it('the ingest Worker builds and consumes the ingest queue', () => {
    const r = dryRun('workers/ingest/wrangler.toml')
    expect(r.status, r.stderr).toBe(0)
    expect(existsSync(path.join(r.outdir, 'index.js'))).toBe(true)
    expect(r.stdout).toContain('env.DB (cairn)')
    expect(r.stdout).toContain('env.FILES (cairn-files)')
  })
})
