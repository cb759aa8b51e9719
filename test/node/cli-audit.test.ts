/**
 * `cairn audit verify` against a server on loopback that answers as Cairn does: a chain that holds
 * prints its span and exits 0; a broken one prints the first broken link and exits 1, so a scheduled
 * job can alert on it. The listing's query carries every filter.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error the CLI is plain JavaScript
import { auditQuery } from '../../cli/audit.mjs'

const root = path.resolve(import.meta.dirname, '../..')
let server: Server | null = null
afterEach(() => server?.close())

async function serveVerification(verdict: object): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = []
  server = createServer((req, res) => {
    paths.push(req.url ?? '')
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ object: 'audit.verification', org_id: 'org-1', ...verdict }))
  })
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, paths }
}

function cli(url: string, ...args: string[]) {
  const configDir = mkdtempSync(path.join(tmpdir(), 'cairn-audit-cli-'))
  writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ url, token: 'cairn_test' }))
  return new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/cairn.mjs'), ...args], { env: { ...process.env, CAIRN_CONFIG_DIR: configDir, CAIRN_URL: '', CAIRN_TOKEN: '' } }, (err, stdout) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout }),
    )
  })
}

describe('cairn audit verify', () => {
  it('exits 0 when the chain holds', async () => {
    const { url, paths } = await serveVerification({ ok: true, events_checked: 12, first_seq: 1, last_seq: 12, broken: null })
    const run = await cli(url, 'audit', 'verify', '--org', 'acme')
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('The audit chain holds: 12 events checked (events 1 to 12).')
    expect(paths).toEqual(['/v1/audit/verify?org=acme'])
  })

  it('exits 1 and names the first broken link', async () => {
    const { url } = await serveVerification({ ok: false, events_checked: 6, first_seq: 1, last_seq: 6, broken: { seq: 7, reason: 'event 7 was changed after it was written (its hash does not match its contents)' } })
    const run = await cli(url, 'audit', 'verify')
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('The audit chain is broken at event 7: event 7 was changed after it was written')
  })
})

describe('the listing query', () => {
  it('carries every filter given, and nothing else', () => {
    const q = auditQuery({ org: 'acme', action: 'file.deleted,answer', actor: 'ana@example.com', since: '2026-12-01', limit: '20', json: true })
    expect(Object.fromEntries(q)).toEqual({ org: 'acme', action: 'file.deleted,answer', actor: 'ana@example.com', since: '2026-12-01', limit: '20' })
  })
})
