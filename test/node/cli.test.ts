/**
 * The `cairn` command run as a user runs it — a child process, its output piped — against Cairn as
 * `npm start` serves it: login (the config file readable only by its owner), uploading a folder,
 * a second upload that sends nothing, a damaged file listed with its sentence and a non-zero exit,
 * asking with citations, the filter language's errors, a website on this machine crawled as a source,
 * and no escape codes anywhere when piped.
 */
import { execFile } from 'node:child_process'
import { copyFileSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort, startCairn, type RunningCairn } from './start-cairn'

const root = path.resolve(import.meta.dirname, '../..')
const samples = path.resolve(root, '../shared/fixtures/samples')
const damaged = path.resolve(root, '../shared/fixtures/hostile/pdf/encryption_openpassword.pdf')
const ESCAPE = /\x1b\[/

describe('the cairn command', () => {
  let cairn: RunningCairn
  const configDir = mkdtempSync(path.join(tmpdir(), 'cairn-cli-'))
  const cli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(root, 'bin/cairn.mjs'), ...args], { env: { ...process.env, CAIRN_CONFIG_DIR: configDir, CAIRN_URL: '', CAIRN_TOKEN: '' }, timeout: 240_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      )
    })

  beforeAll(async () => {
    cairn = await startCairn({ args: ['--inspector-port', String(await freePort())], env: { CAIRN_LOCAL_MODELS: 'off' } })
  }, 240_000)
  afterAll(() => cairn?.stop())

  it('logs in, keeping the token in a file only its owner can read', async () => {
    const bad = await cli('login', '--url', cairn.base, '--token', 'cairn_wrong')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/not valid/)
    const login = await cli('login', '--url', cairn.base, '--token', cairn.token)
    expect(login.stdout).toContain('as you@cairn.localhost')
    expect(statSync(path.join(configDir, 'config.json')).mode & 0o777).toBe(0o600)
  })

  it('uploads a folder and waits for it; a second run sends nothing', async () => {
    const first = await cli('upload', path.join(samples, 'markdown'), '--workspace', 'default')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/7 files found; 0 already in "default"; 7 to upload/)
    expect(first.stdout).toMatch(/Indexed: 7 processed, 0 error/)
    const again = await cli('upload', path.join(samples, 'markdown'))
    expect(again.stdout).toMatch(/7 files found; 7 already in "default"; 0 to upload/)
    expect(again.stdout).toMatch(/Done: 0 uploaded, 7 skipped, 0 failed/)
    for (const out of [first.stdout, again.stdout]) expect(out).not.toMatch(ESCAPE)
  }, 240_000)

  it('lists a file that fails with its sentence, and exits non-zero', async () => {
    const run = await cli('upload', damaged, path.join(samples, 'pdf/multi_page.pdf'))
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/1 file failed:\n {2}encryption_openpassword\.pdf: the PDF is encrypted and needs a password/)
  }, 240_000)

  it('sends small files together, and when Cairn refuses one, the others still go, each with its own line', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'cairn-cli-batch-'))
    copyFileSync(path.join(samples, 'pdf/normal_4pages.pdf'), path.join(folder, 'normal_4pages.pdf'))
    writeFileSync(path.join(folder, 'empty.txt'), '')
    const run = await cli('upload', folder, '--no-wait')
    expect(run.code).toBe(1)
    expect(run.stdout).toMatch(/uploaded normal_4pages\.pdf/)
    expect(run.stdout).toMatch(/1 file failed:\n {2}empty\.txt: .*empty/)
  }, 120_000)

  it('asks: the answer, then its citations as file p.N: "quote"', async () => {
    const run = await cli('ask', 'When was the typewriter patented, and by whom?')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/\[1\] multi_page\.pdf p\.1: ".+"/)
    expect(run.stdout).not.toMatch(ESCAPE)
    const json = JSON.parse((await cli('ask', 'typewriter', '--retrieval', '--json')).stdout)
    expect(json.choices[0].metadata.filename).toBeTypeOf('string')
  }, 120_000)

  it("ls filters with the filter language and shows the parser's error", async () => {
    const pdfs = await cli('ls', '--filter', "filename = 'multi_page.pdf'")
    expect(pdfs.stdout).toMatch(/processed\s+multi_page\.pdf/)
    expect(pdfs.stdout).toMatch(/1 file in "default"/)
    const bad = await cli('ls', '--filter', 'filename =')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toMatch(/at column \d+/)
  })

  it('crawls a website served on this machine as a source, searches it, and disconnects it with its files', async () => {
    const pages: Record<string, string> = {
      '/': '<html><head><title>Handbook</title></head><body><main><h1>Handbook</h1><p>See the <a href="/leave">leave policy</a>.</p></main></body></html>',
      '/leave': '<html><head><title>Leave policy</title></head><body><main><h1>Leave policy</h1><p>Every employee has twenty-eight days of paid leave a year.</p></main></body></html>',
    }
    const site = createServer((req, res) => {
      const page = pages[req.url ?? '']
      res.writeHead(page ? 200 : 404, { 'content-type': 'text/html' }).end(page ?? 'no such page')
    })
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`
    try {
      const added = await cli('source', 'add', 'web', 'handbook', url, '--max-depth', '1')
      expect(added.code, added.stderr).toBe(0)
      expect(added.stdout).toMatch(/Connected handbook \(source-[0-9a-f]+\); syncing\./)
      expect(added.stdout).toMatch(/idle\s+handbook\s+http:\/\/127\.0\.0\.1:\d+\/\s+\+2 ~0 -0 !0 =0/)
      const id = /\((source-[0-9a-f]+)\)/.exec(added.stdout)![1]!
      // The pages are ingested like uploads, after the sync stored them.
      for (let i = 0; i < 120; i++) {
        const files = JSON.parse((await cli('ls', '--json', '--filter', "metadata.source = 'handbook'")).stdout) as Array<{ filename: string; status: string }>
        if (files.length === 2 && files.every((f) => f.status === 'processed')) break
        await new Promise((r) => setTimeout(r, 500))
      }
      const listed = await cli('ls', '--filter', "metadata.source = 'handbook'")
      expect(listed.stdout).toMatch(new RegExp(`processed\\s+${url.replace(/[.]/g, '\\.')}leave`))
      const hit = JSON.parse((await cli('ask', 'how many days of paid leave', '--retrieval', '--json', '--filter', "metadata.source = 'handbook'")).stdout)
      expect(JSON.stringify(hit)).toContain('twenty-eight days')
      const again = await cli('source', 'sync', id)
      expect(again.stdout).toMatch(/\+0 ~0 -0 !0 =2/)
      expect((await cli('source', 'ls')).stdout).toContain('handbook')
      const removed = await cli('source', 'rm', id, '--delete-files')
      expect(removed.stdout).toContain('2 files deleted')
      expect((await cli('ls', '--filter', "metadata.source = 'handbook'")).stdout).toMatch(/0 files in "default"/)
    } finally {
      site.close()
    }
  }, 180_000)

  it('uploads files that expire, and refuses a duration it cannot read before sending anything', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cairn-expiring-'))
    writeFileSync(path.join(dir, 'visitor-log.txt'), `Visitors on ${new Date().toISOString()}: none.`)
    const sent = await cli('upload', dir, '--expires-after', '2h', '--no-wait')
    expect(sent.code, sent.stderr).toBe(0)
    const files = JSON.parse((await cli('ls', '--json', '--filter', "filename = 'visitor-log.txt'")).stdout) as Array<{ created_at: number; expires_at: number }>
    expect(files).toHaveLength(1)
    expect(files[0]!.expires_at - files[0]!.created_at).toBeGreaterThanOrEqual(7200)
    expect(files[0]!.expires_at - files[0]!.created_at).toBeLessThanOrEqual(7201)
    const bad = await cli('upload', dir, '--expires-after', 'soon')
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('"soon" is not a duration')
    const tooShort = await cli('upload', path.join(samples, 'text'), '--expires-after', '10m')
    expect(tooShort.code).toBe(1)
    expect(tooShort.stdout + tooShort.stderr).toMatch(/3600 \(one hour\)/)
  })

  it('lists, exports and verifies the audit log of what it did', async () => {
    const listed = await cli('audit', '--action', 'file.uploaded', '--limit', '5')
    expect(listed.code, listed.stderr).toBe(0)
    expect(listed.stdout).toMatch(/#\d+\s+file\.uploaded\s+you@cairn\.localhost in default/)
    expect(listed.stdout).toMatch(/5 events \(more/)
    const dir = mkdtempSync(path.join(tmpdir(), 'cairn-audit-'))
    const exported = await cli('audit', 'export', '--action', 'file.deleted,file.uploaded', '-o', path.join(dir, 'audit.jsonl'))
    expect(exported.code, exported.stderr).toBe(0)
    const lines = readFileSync(path.join(dir, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { seq: number; action: string })
    expect(lines.length).toBeGreaterThan(5)
    expect(lines.map((l) => l.seq)).toEqual([...lines.map((l) => l.seq)].sort((x, y) => x - y))
    expect(new Set(lines.map((l) => l.action))).toEqual(new Set(['file.uploaded', 'file.deleted']))
    const verified = await cli('audit', 'verify')
    expect(verified.code, verified.stderr).toBe(0)
    expect(verified.stdout).toMatch(/The audit chain holds: \d+ events checked \(events 1 to \d+\)/)
    for (const out of [listed.stdout, verified.stdout]) expect(out).not.toMatch(ESCAPE)
  })

  it('logs out', async () => {
    await cli('logout')
    const after = await cli('ls')
    expect(after.code).toBe(1)
    expect(after.stderr).toMatch(/cairn login/)
  })
})
