#!/usr/bin/env node
/**
 * What rate limits and the audit trail cost a question, under `npm start` (lexical, no models): two
 * Cairns run side by side, this checkout and BASELINE (a checkout from before both, e.g. a worktree
 * of 303e9ce), each with the same SciFact documents. Then `l0-retrieval` is asked SciFact's test
 * queries, one client alternating between the two (which goes first swaps every question), and then
 * 8 clients at a time in alternating blocks. Prints p50/p95 of the client's wall time for each and
 * the ratios: the goal is under 5 % over the baseline.
 *
 * Run:  BASELINE=/tmp/cairn-before node bench/edge-overhead.mjs
 * Env:  DOCS=500 QUESTIONS=300 BLOCKS=6 BLOCK_SECONDS=8 CLIENTS=8
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cairnApi, parseJsonl } from './lib/cairn-api.mjs'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { percentile } from './lib/percentile.mjs'

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const data = path.resolve(here, '../shared/fixtures/beir/scifact')
const baseline = process.env.BASELINE && path.resolve(process.env.BASELINE)
const docs = Number(process.env.DOCS ?? 500)
const questionCount = Number(process.env.QUESTIONS ?? 300)
const blocks = Number(process.env.BLOCKS ?? 6)
const blockSeconds = Number(process.env.BLOCK_SECONDS ?? 8)
const clients = Number(process.env.CLIENTS ?? 8)
process.env.CAIRN_LOCAL_MODELS ??= 'off'
if (!baseline) {
  console.error('BASELINE=<a checkout from before rate limits and the audit trail> is required (git worktree add --detach /tmp/cairn-before 303e9ce)')
  process.exit(2)
}

const corpus = parseJsonl(readFileSync(path.join(data, 'corpus.jsonl'), 'utf8')).slice(0, docs)
const queries = parseJsonl(readFileSync(path.join(data, 'queries.jsonl'), 'utf8'))
const tested = new Set(readFileSync(path.join(data, 'qrels', 'test.tsv'), 'utf8').split('\n').slice(1).map((l) => l.split('\t')[0]))
const questions = queries.filter((q) => tested.has(q._id)).map((q) => q.text)

async function launch(name, root) {
  const state = mkdtempSync(path.join(tmpdir(), `cairn-edge-${name}-`))
  const port = 21000 + Math.floor(Math.random() * 9000)
  const api = cairnApi(`http://localhost:${port}`)
  // Two at once: each its own inspector port too.
  const { child, token } = await startCairn({ root, port, persistTo: state, log: path.join(state, 'cairn.log'), args: ['--inspector-port', String(port + 1)] })
  return { name, api, token, child, state, base: `http://localhost:${port}` }
}

async function fill({ api, token }) {
  for (let i = 0; i < corpus.length; i += 50) {
    const form = new FormData()
    for (const d of corpus.slice(i, i + 50)) form.append('file', new File([`# ${d.title}\n\n${d.text}\n`], `${d._id}.md`))
    await api(token, 'POST', '/files', form)
  }
  for (;;) {
    const { body } = await api(token, 'GET', `/files?limit=1&metadata=${encodeURIComponent('status in ["uploaded", "processing"]')}`)
    if (body.total === 0) return
    await new Promise((r) => setTimeout(r, 1000))
  }
}

let currentAnswers = 0

/** One question's wall time, in milliseconds. */
async function ask(cairn, text) {
  const { api, token } = cairn
  if (cairn.name === 'current') currentAnswers++
  const started = performance.now()
  await api(token, 'POST', '/v1/chat/completions', { model: 'l0-retrieval', messages: [{ role: 'user', content: [{ type: 'filter', top_k: 10 }, { type: 'text', text }] }] })
  return performance.now() - started
}

async function block(cairn, seconds) {
  const times = []
  const until = performance.now() + seconds * 1000
  let next = Math.floor(Math.random() * questions.length)
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) times.push(await ask(cairn, questions[next++ % questions.length]))
    }),
  )
  return times
}

const running = []
let failed = true
try {
  const base = await launch('baseline', baseline)
  running.push(base)
  const current = await launch('current', here)
  running.push(current)
  await Promise.all([fill(base), fill(current)])
  for (const q of questions.slice(0, 20)) await Promise.all([ask(base, q), ask(current, q)]) // warm-up

  const single = { baseline: [], current: [] }
  for (let i = 0; i < questionCount; i++) {
    const q = questions[i % questions.length]
    const order = i % 2 === 0 ? [base, current] : [current, base]
    for (const c of order) single[c.name].push(await ask(c, q))
  }
  const loaded = { baseline: [], current: [] }
  for (let b = 0; b < blocks; b++) {
    const c = (b % 2 === 0) === (Math.floor(b / 2) % 2 === 0) ? base : current
    loaded[c.name].push(...(await block(c, blockSeconds)))
  }

  const line = (label, times) => `    ${label.padEnd(10)} ${String(times.length).padStart(5)} questions   p50 ${percentile(times, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(times, 95).toFixed(1).padStart(6)} ms`
  const ratio = (set, p) => (percentile(set.current, p) / percentile(set.baseline, p)).toFixed(3)
  console.log(`Rate limits and audit trail, ${docs} SciFact documents; baseline ${baseline}`)
  console.log('  one client, alternating')
  console.log(line('baseline', single.baseline))
  console.log(line('current', single.current))
  console.log(`    ratio current/baseline: p50 ${ratio(single, 50)}×, p95 ${ratio(single, 95)}×`)
  console.log(`  ${clients} clients, ${blocks} alternating blocks of ${blockSeconds} s`)
  console.log(line('baseline', loaded.baseline))
  console.log(line('current', loaded.current))
  console.log(`    ratio current/baseline: p50 ${ratio(loaded, 50)}×, p95 ${ratio(loaded, 95)}×`)
  // Every answer must be in the log: its records are written after the responses, so allow them a moment.
  await new Promise((r) => setTimeout(r, 2000))
  const { body } = await current.api(current.token, 'GET', '/v1/audit/verify')
  const exported = await fetch(`${current.base}/v1/audit/export?action=answer`, { headers: { authorization: `Bearer ${current.token}` } })
  const recorded = (await exported.text()).split('\n').filter(Boolean).length
  console.log(`  audit chain of the current run: ${body.ok ? 'holds' : `broken at ${body.broken.seq}`}, ${body.events_checked} events; ${recorded} of ${currentAnswers} answers recorded`)
  failed = false
} finally {
  for (const c of running) {
    const exited = new Promise((r) => c.child.once('exit', r))
    stopCairn(c.child)
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    // A failed run keeps each state folder, with its server log (cairn.log), to read.
    if (failed) console.error(`kept ${c.name}'s state and log: ${c.state}`)
    else rmSync(c.state, { recursive: true, force: true })
  }
}
