#!/usr/bin/env node
/**
 * Reproduces a reliability bug of the local runtime: under `npm start`, bursts of `POST /sources/{id}/sync`
 * for web sources whose hosts do not resolve make wrangler's dev proxy answer its own 503 ("Your
 * worker restarted mid-request") after about 5 s, to every request in flight. Creates SOURCES web
 * sources on unresolvable hosts, sends ROUNDS bursts of two syncs per source, and prints the statuses
 * and how many answers were that restart. Prints the server log's path; a fix should bring the count to 0.
 *
 * Run:  node bench/sync-burst.mjs      Env: SOURCES=12 ROUNDS=10 HOSTS=unresolvable|refusing
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const sources = Number(process.env.SOURCES ?? 12)
const rounds = Number(process.env.ROUNDS ?? 10)
// HOSTS=refusing points the sources at a closed port on this machine instead: a host that resolves but answers nothing.
const urlOf = (i) => (process.env.HOSTS === 'refusing' ? `http://127.0.0.1:9/site-${i}/` : `http://host-${i}.does-not-resolve.invalid/`)
process.env.CAIRN_LOCAL_MODELS ??= 'off'

const state = mkdtempSync(path.join(tmpdir(), 'cairn-sync-burst-'))
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const log = path.join(state, 'cairn.log')
const { child, token } = await startCairn({ root: here, port, persistTo: state, log, args: ['--inspector-port', String(port + 1)] })
const call = async (method, pathname, body) => {
  const res = await fetch(`${base}${pathname}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) })
  return { status: res.status, text: await res.text() }
}
try {
  const ids = []
  for (let i = 0; i < sources; i++) {
    const made = await call('POST', '/v1/sources', { type: 'web', name: `burst-${i}`, settings: { url: urlOf(i) } })
    if (made.status !== 201 && made.status !== 200) throw new Error(`POST /v1/sources: ${made.status} ${made.text}`)
    ids.push(JSON.parse(made.text).id)
  }
  const statuses = {}
  let restarts = 0
  for (let round = 0; round < rounds; round++) {
    const answers = await Promise.all(ids.flatMap((id) => [call('POST', `/v1/sources/${id}/sync`), call('POST', `/v1/sources/${id}/sync`)]))
    for (const a of answers) {
      statuses[a.status] = (statuses[a.status] ?? 0) + 1
      if (a.status === 503 && a.text.includes('restarted mid-request')) restarts++
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  console.log(`${sources} web sources on ${process.env.HOSTS === 'refusing' ? 'a closed local port' : 'unresolvable hosts'}, ${rounds} bursts of ${sources * 2} syncs`)
  console.log(`  statuses: ${Object.entries(statuses).map(([s, n]) => `${s} × ${n}`).join(', ')}`)
  console.log(`  answered by the dev proxy's restart 503: ${restarts}`)
  console.log(`  server log: ${log}`)
} finally {
  stopCairn(child)
}
