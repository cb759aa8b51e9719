#!/usr/bin/env node
/**
 * The sharded index under `npm start`, on a copy of a SciFact state (lexical, no models): SciFact's test
 * queries asked of `l0-retrieval` with the workspace on D1's own tables (the baseline, same run), then
 * after moving it (PUT /workspaces/default/index) onto 1, 2, 4 and 8 IndexShard objects in turn. Prints,
 * per layout, nDCG@10 (copies removed at SCALE > 1), Recall@100, the server's p50/p95 and the ratio to
 * the baseline, the rows the lexical arm read per question (mean), and how long each move took.
 *
 * With CAIRN_LOCAL_MODELS=on, on a state ingested with the local embedding model (bench/scifact.mjs
 * with its defaults), the questions are hybrid and the vectors move with the chunks: the table adds the
 * semantic arm's own server time (Server-Timing `vector`: the question's embedding, the fan-out over
 * the shards' vectors and loading the hits).
 *
 * Run:  STATE=/work/scifact-x50 SCALE=50 node bench/shard-fanout.mjs
 *       STATE=/work/scifact-x1-hybrid CAIRN_LOCAL_MODELS=on LAYOUTS=1,2,4 node bench/shard-fanout.mjs
 * Env:  LAYOUTS=1,2,4,8   QUERIES=n (the first n test queries)
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cairnApi, parseJsonl } from './lib/cairn-api.mjs'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { percentile } from './lib/percentile.mjs'
import { ndcgAt, recallAt } from './lib/trec-metrics.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const data = path.resolve(root, '../shared/fixtures/beir/scifact')
const state = process.env.STATE
const scale = Number(process.env.SCALE ?? 1)
const layouts = (process.env.LAYOUTS ?? '1,2,4,8').split(',').map(Number)
const maxQueries = Number(process.env.QUERIES ?? Infinity)
process.env.CAIRN_LOCAL_MODELS ??= 'off'
if (!state) {
  console.error('STATE=<a SciFact state folder from bench/scifact.mjs> is required')
  process.exit(2)
}

const queries = new Map(parseJsonl(readFileSync(path.join(data, 'queries.jsonl'), 'utf8')).map((q) => [q._id, q.text]))
const qrels = new Map()
for (const line of readFileSync(path.join(data, 'qrels', 'test.tsv'), 'utf8').split('\n').slice(1)) {
  const [q, doc, rel] = line.trim().split('\t')
  if (!q || !doc) continue
  if (!qrels.has(q)) qrels.set(q, new Map())
  qrels.get(q).set(doc, Number(rel))
}
const asked = [...qrels.keys()].slice(0, maxQueries)

const phaseMs = (headers, phase) => Number(new RegExp(`(?:^|,)\\s*${phase};dur=([\\d.]+)`).exec(headers.get('server-timing') ?? '')?.[1] ?? NaN)
const serverMs = (headers) => phaseMs(headers, 'total')
/** Rows the lexical arm read (Server-Timing `lexical-rows`), what D1 and Durable Object SQL bill by. */
const rowsRead = (headers) => Number(/lexical-rows;desc="?(\d+)/.exec(headers.get('server-timing') ?? '')?.[1] ?? NaN)

async function askAll(api, token) {
  const ask = async (text) => {
    const { body, headers } = await api(token, 'POST', '/v1/chat/completions', {
      model: 'l0-retrieval',
      messages: [{ role: 'user', content: [{ type: 'filter', top_k: 100 }, { type: 'text', text }] }],
    })
    const ranked = []
    for (const c of body.choices) {
      const doc = String(c.metadata.file_metadata.doc_id ?? c.metadata.filename.replace(/\.md$/, ''))
      if (!ranked.includes(doc)) ranked.push(doc)
    }
    return { ranked, ms: serverMs(headers), vectorMs: phaseMs(headers, 'vector'), rows: rowsRead(headers) }
  }
  for (const q of asked.slice(0, 5)) await ask(queries.get(q)) // warm-up
  const runs = []
  for (const q of asked) runs.push({ q, ...(await ask(queries.get(q))) })
  const mean = (f) => runs.reduce((s, r) => s + f(r), 0) / runs.length
  const originals = (r) => (scale > 1 ? r.ranked.filter((d) => !d.includes('-copy')) : r.ranked)
  const times = runs.map((r) => r.ms)
  const vectorTimes = runs.map((r) => r.vectorMs).filter((ms) => !Number.isNaN(ms))
  return {
    vectorP95: vectorTimes.length > 0 ? percentile(vectorTimes, 95) : NaN,
    ndcg: mean((r) => ndcgAt(originals(r), qrels.get(r.q), 10)),
    recall: mean((r) => recallAt(originals(r), qrels.get(r.q), 100)),
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    rows: mean((r) => r.rows),
  }
}

const copy = mkdtempSync(path.join(tmpdir(), 'cairn-fanout-'))
cpSync(state, copy, { recursive: true })
const admin = JSON.parse(readFileSync(path.join(copy, 'cairn-local.json'), 'utf8')).adminToken
const port = 21000 + Math.floor(Math.random() * 9000)
const api = cairnApi(`http://localhost:${port}`)
const { child, token } = await startCairn({ root, port, persistTo: copy, log: path.join(copy, 'cairn.log') })
const results = []
try {
  const org = (await api(token, 'GET', '/workspaces/default')).body.org_id
  const index = `/workspaces/default/index?org=${org}`
  console.log(`SciFact test, ${asked.length} queries, corpus × ${scale}, on a copy of ${state}`)
  results.push({ layout: 'D1 (baseline)', moveSeconds: null, ...(await askAll(api, token)) })
  for (const shards of layouts) {
    const started = performance.now()
    const res = await fetch(`http://localhost:${port}${index}`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ shards }) })
    if (res.status !== 202) throw new Error(`PUT ${index}: ${res.status} ${await res.text()}`)
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000))
      const placement = (await api(admin, 'GET', index)).body
      if (placement.moving_to === null && placement.shards === shards) break
    }
    const moveSeconds = (performance.now() - started) / 1000
    process.stdout.write(`  moved to ${shards} shard${shards === 1 ? '' : 's'} in ${moveSeconds.toFixed(0)} s\n`)
    results.push({ layout: `${shards} shard${shards === 1 ? '' : 's'}`, moveSeconds, ...(await askAll(api, token)) })
  }
} finally {
  const exited = new Promise((r) => child.once('exit', r))
  stopCairn(child)
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
  rmSync(copy, { recursive: true, force: true })
}
const base = results[0]
const hybrid = !Number.isNaN(base.vectorP95)
console.log(`\n  ${'layout'.padEnd(14)} ${'nDCG@10'.padStart(8)} ${'R@100'.padStart(7)} ${'p50'.padStart(8)} ${'p95'.padStart(8)}  p95 ratio${hybrid ? '  vector p95' : ''}  rows read  move`)
for (const r of results) {
  console.log(
    `  ${r.layout.padEnd(14)} ${r.ndcg.toFixed(4).padStart(8)} ${r.recall.toFixed(4).padStart(7)} ${`${r.p50.toFixed(1)} ms`.padStart(8)} ${`${r.p95.toFixed(1)} ms`.padStart(8)}  ${(r.p95 / base.p95).toFixed(2).padStart(8)}×${hybrid ? `  ${`${r.vectorP95.toFixed(1)} ms`.padStart(10)}` : ''}  ${Number.isNaN(r.rows) ? '        —' : Math.round(r.rows).toLocaleString('en-US').padStart(9)}  ${r.moveSeconds === null ? '' : `${r.moveSeconds.toFixed(0)} s`}`,
  )
}
