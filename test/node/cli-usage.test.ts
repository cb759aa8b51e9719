/**
 * `cairn usage` run as a user runs it — a child process, output piped — against a server on loopback
 * answering `GET /usage` as Cairn does: the options become the query, the report a plain table with
 * its totals and what is stored, and Cairn's refusal its sentence with a non-zero exit.
 */
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
const zero = { completions: 0, reasoning_calls: 0, reasoning_input_tokens: 0, reasoning_output_tokens: 0, perception_calls: 0, perception_input_tokens: 0, perception_output_tokens: 0, audio_seconds: 0, embedding_calls: 0, embedding_input_tokens: 0, rerank_calls: 0, files_ingested: 0, pages_ingested: 0, bytes_ingested: 0 }
const report = {
  object: 'list',
  from: '2025-01-01',
  to: '2025-01-30',
  group_by: ['day', 'user'],
  data: [
    { ...zero, day: '2025-01-02', user_id: 'user-1', email: 'ana@example.com', completions: 2, reasoning_input_tokens: 12345, reasoning_output_tokens: 678 },
    { ...zero, day: '2025-01-03', user_id: 'user-2', email: 'bo@example.com', files_ingested: 1, pages_ingested: 14, bytes_ingested: 1_048_576, embedding_input_tokens: 9000 },
  ],
  totals: { ...zero, completions: 2, reasoning_input_tokens: 12345, reasoning_output_tokens: 678, files_ingested: 1, pages_ingested: 14, bytes_ingested: 1_048_576, embedding_input_tokens: 9000 },
  stored: { files: 3, bytes: 5_242_880 },
}

let server: Server
let base: string
const asked: Array<{ url: string; authorization: string | undefined }> = []

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push({ url: req.url ?? '', authorization: req.headers.authorization })
    const refused = new URL(req.url ?? '/', 'http://x').searchParams.get('from') === '2025-02-30'
    res.writeHead(refused ? 422 : 200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(refused ? { error: { message: 'from must be a calendar day written YYYY-MM-DD (UTC).', type: 'invalid_request_error', param: 'from', code: 'invalid_value' } } : report))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => server?.close())

const cli = (...args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [path.join(root, 'bin/cairn.mjs'), ...args], { env: { ...process.env, CAIRN_URL: base, CAIRN_TOKEN: 'cairn_t', CAIRN_CONFIG_DIR: '/nonexistent' }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })

describe('cairn usage', () => {
  it('asks for the period and grouping given, and prints a table with totals and what is stored', async () => {
    const run = await cli('usage', '--from', '2025-01-01', '--to', '2025-01-30', '--group-by', 'day,user')
    expect(run.code, run.stderr).toBe(0)
    const query = new URL(asked.at(-1)!.url, base)
    expect(query.pathname).toBe('/v1/usage')
    expect(Object.fromEntries(query.searchParams)).toEqual({ from: '2025-01-01', to: '2025-01-30', group_by: 'day,user' })
    expect(asked.at(-1)!.authorization).toBe('Bearer cairn_t')
    const lines = run.stdout.trimEnd().split('\n')
    expect(lines[0]).toBe('Usage 2025-01-01 to 2025-01-30 (UTC)')
    expect(lines[1]).toMatch(/^day\s+user\s+asked\s+tokens in\s+tokens out\s+perception in\s+perception out\s+embedding\s+files\s+pages\s+bytes$/)
    expect(lines[2]).toMatch(/^2025-01-02\s+ana@example\.com\s+2\s+12,345\s+678\s+0\s+0\s+0\s+0\s+0\s+0 B$/)
    expect(lines[3]).toMatch(/^2025-01-03\s+bo@example\.com\s+0\s+0\s+0\s+0\s+0\s+9,000\s+1\s+14\s+1\.0 MB$/)
    expect(lines[4]).toMatch(/^total\s+2\s+12,345\s+678\s+0\s+0\s+9,000\s+1\s+14\s+1\.0 MB$/)
    expect(lines[5]).toBe('Stored now: 3 files, 5.0 MB')
    // Figures line up on the right.
    expect(new Set(lines.slice(1, 5).map((l) => l.length)).size).toBe(1)
    expect(run.stdout).not.toMatch(/\x1b\[/)
  })

  it('sends no query of its own beyond the default grouping, and prints JSON when asked', async () => {
    const run = await cli('usage', '--json')
    expect(Object.fromEntries(new URL(asked.at(-1)!.url, base).searchParams)).toEqual({ group_by: 'day' })
    expect(JSON.parse(run.stdout)).toEqual(report)
  })

  it("prints Cairn's sentence and exits 1 when the request is refused", async () => {
    const run = await cli('usage', '--from', '2025-02-30')
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/from must be a calendar day/)
  })
})
