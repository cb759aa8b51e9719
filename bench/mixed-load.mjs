#!/usr/bin/env node
/**
 * Questions while files are ingested, under `npm start` (lexical, no models): on a copy of a SciFact
 * state, 8 clients ask SciFact's test queries of `l0-retrieval` for a while with nothing else running,
 * then go on asking while 1,000 new documents (SciFact abstracts under new names) are uploaded and
 * indexed. Prints the questions' server-time p50/p95 alone and under ingestion, the documents indexed
 * per second, and every error. With BASELINE set to another checkout (e.g. a worktree of the previous
 * commit), the same run measures it first on its own copy of the state and prints the ratios.
 *
 * With SHARDS=n the run compares the two index designs in this checkout instead, each on its own copy
 * of the state: first everything in D1's tables (the old design), then the asked-of workspace moved
 * onto n IndexShard objects and the documents ingested into another workspace on a shard of its own
 * (the new design: another tenant's bulk upload writes elsewhere). With INGEST_WORKSPACE=other (and no
 * SHARDS) the documents go to another workspace in D1, to separate the two effects.
 *
 * Run:  STATE=/tmp/scifact-x50 node bench/mixed-load.mjs
 *       STATE=/tmp/scifact-x50 BASELINE=/tmp/cairn-before node bench/mixed-load.mjs
 *       STATE=/tmp/scifact-x50 SHARDS=4 node bench/mixed-load.mjs
 * Env:  FILES=1000 CLIENTS=8 ALONE_SECONDS=20
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cairnApi, parseJsonl } from './lib/cairn-api.mjs'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { percentile } from './lib/percentile.mjs'

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const data = path.resolve(here, '../shared/fixtures/beir/scifact')
const state = process.env.STATE
const files = Number(process.env.FILES ?? 1000)
const clients = Number(process.env.CLIENTS ?? 8)
const aloneSeconds = Number(process.env.ALONE_SECONDS ?? 20)
const shards = process.env.SHARDS === undefined ? null : Number(process.env.SHARDS)
const ingestElsewhere = shards !== null || process.env.INGEST_WORKSPACE === 'other'
// Lexical, as the SciFact states are made (bench/scifact.mjs with CAIRN_LOCAL_MODELS=off): no embeddings to wait for.
process.env.CAIRN_LOCAL_MODELS ??= 'off'
if (!state) {
  console.error('STATE=<a SciFact state folder from bench/scifact.mjs> is required')
  process.exit(2)
}

const corpus = parseJsonl(readFileSync(path.join(data, 'corpus.jsonl'), 'utf8'))
const queries = parseJsonl(readFileSync(path.join(data, 'queries.jsonl'), 'utf8'))
const tested = new Set(readFileSync(path.join(data, 'qrels', 'test.tsv'), 'utf8').split('\n').slice(1).map((l) => l.split('\t')[0]))
const questions = queries.filter((q) => tested.has(q._id)).map((q) => q.text)

const serverMs = (headers) => Number(/(?:^|,)\s*total;dur=([\d.]+)/.exec(headers.get('server-timing') ?? '')?.[1] ?? NaN)

/** Clients asking until `until()` is true; every answer's server time, and every error. */
async function asking(api, token, until) {
  const times = []
  const errors = []
  let next = 0
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!until()) {
        const text = questions[next++ % questions.length]
        try {
          const { headers } = await api(token, 'POST', '/v1/chat/completions', {
            model: 'l0-retrieval',
            messages: [{ role: 'user', content: [{ type: 'filter', top_k: 10 }, { type: 'text', text }] }],
          })
          times.push(serverMs(headers))
        } catch (error) {
          errors.push(String(error).slice(0, 200))
        }
      }
    }),
  )
  return { times, errors }
}

/** Uploads `files` new documents in forms of 50 into `workspace`, then waits until none is left uploaded or processing. */
async function ingesting(api, token, workspace) {
  const started = performance.now()
  const errors = []
  const docs = corpus.slice(0, files)
  for (let i = 0; i < docs.length; i += 50) {
    const form = new FormData()
    for (const d of docs.slice(i, i + 50)) form.append('file', new File([`# ${d.title}\n\n${d.text}\n`], `mixed-${d._id}.md`))
    form.append('metadata', JSON.stringify({ corpus: 'mixed-load' }))
    form.append('workspace', workspace)
    await api(token, 'POST', '/files', form).catch((e) => errors.push(String(e).slice(0, 200)))
  }
  const count = async (filter) => (await api(token, 'GET', `/files?limit=1&workspace=${workspace}&metadata=${encodeURIComponent(filter)}`)).body.total
  for (;;) {
    const pending = await count('metadata.corpus = "mixed-load" and status in ["uploaded", "processing"]')
    if (pending === 0) break
    await new Promise((r) => setTimeout(r, 1000))
  }
  const failed = await count('metadata.corpus = "mixed-load" and status = "error"')
  return { seconds: (performance.now() - started) / 1000, indexed: docs.length - failed, failed, errors }
}

/** Moves a workspace's index to `n` shards (PUT /workspaces/{id}/index) and waits for the switch. */
async function moveIndex(base, api, admin, org, workspace, n) {
  const index = `/workspaces/${workspace}/index?org=${org}`
  const res = await fetch(`${base}${index}`, { method: 'PUT', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ shards: n }) })
  if (res.status !== 202 && res.status !== 200) throw new Error(`PUT ${index}: ${res.status} ${await res.text()}`)
  while ((await api(admin, 'GET', index)).body.moving_to !== null) await new Promise((r) => setTimeout(r, 1000))
}

async function measure(root, layout = null) {
  const copy = mkdtempSync(path.join(tmpdir(), 'cairn-mixed-'))
  cpSync(state, copy, { recursive: true })
  const port = 21000 + Math.floor(Math.random() * 9000)
  const base = `http://localhost:${port}`
  const api = cairnApi(base)
  const { child, token } = await startCairn({ root, port, persistTo: copy, log: path.join(copy, 'cairn.log') })
  try {
    let target = 'default'
    if (ingestElsewhere) {
      target = 'mixed-load'
      await api(token, 'POST', '/workspaces', { id: target })
    }
    if (layout !== null) {
      const admin = JSON.parse(readFileSync(path.join(copy, 'cairn-local.json'), 'utf8')).adminToken
      const org = (await api(token, 'GET', '/workspaces/default')).body.org_id
      const started = performance.now()
      await moveIndex(base, api, admin, org, 'default', layout)
      console.log(`  moved the asked-of workspace to ${layout} shards in ${((performance.now() - started) / 1000).toFixed(0)} s`)
      await moveIndex(base, api, admin, org, target, 1)
    }
    await asking(api, token, (() => { let n = 0; return () => n++ >= clients * 2 })()) // warm-up
    const aloneUntil = performance.now() + aloneSeconds * 1000
    const alone = await asking(api, token, () => performance.now() > aloneUntil)
    let done = false
    const [loaded, ingestion] = await Promise.all([asking(api, token, () => done), ingesting(api, token, target).finally(() => (done = true))])
    return { alone, loaded, ingestion }
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    stopCairn(child)
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    rmSync(copy, { recursive: true, force: true })
  }
}

function report(name, { alone, loaded, ingestion }) {
  const line = (label, r) => `    ${label.padEnd(22)} ${String(r.times.length).padStart(5)} questions   p50 ${percentile(r.times, 50).toFixed(0).padStart(4)} ms   p95 ${percentile(r.times, 95).toFixed(0).padStart(4)} ms   errors ${r.errors.length}`
  console.log(`  ${name}`)
  console.log(line('alone', alone))
  console.log(line('while ingesting', loaded))
  console.log(`    ingestion              ${ingestion.indexed} documents indexed in ${ingestion.seconds.toFixed(0)} s (${(ingestion.indexed / ingestion.seconds).toFixed(1)}/s), ${ingestion.failed} failed, ${ingestion.errors.length} upload errors`)
  for (const e of [...alone.errors, ...loaded.errors, ...ingestion.errors].slice(0, 5)) console.log(`    error: ${e}`)
}

console.log(`Mixed load on a copy of ${state}: ${clients} clients asking, ${files} documents ingested${ingestElsewhere ? ' into another workspace' : ''}`)
const runs = []
if (shards !== null) {
  runs.push(["one D1 for every workspace (old design)", await measure(here)])
  runs.push([`asked-of workspace on ${shards} shards, the other on its own (new design)`, await measure(here, shards)])
} else {
  if (process.env.BASELINE) runs.push(['baseline ' + path.resolve(process.env.BASELINE), await measure(path.resolve(process.env.BASELINE))])
  runs.push(['this checkout', await measure(here)])
}
for (const [name, r] of runs) report(name, r)
if (runs.length === 2) {
  const [[, b], [, c]] = runs
  const ratio = (f) => (f(c) / f(b)).toFixed(2)
  console.log(`  ratio this/baseline: p95 alone ${ratio((r) => percentile(r.alone.times, 95))}×, p95 while ingesting ${ratio((r) => percentile(r.loaded.times, 95))}×, documents/s ${ratio((r) => r.ingestion.indexed / r.ingestion.seconds)}×`)
}
