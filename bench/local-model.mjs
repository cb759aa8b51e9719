#!/usr/bin/env node
/**
 * Chooses the local embedding model by measuring: for each candidate, `local-models/serve.mjs` is
 * started alone, embeds BEIR SciFact's corpus (title + abstract), and answers the test queries by
 * cosine over every document; scored as trec_eval's ndcg_cut.10, dense only and fused (RRF, k = 60)
 * with a plain BM25 computed here. Also: corpus throughput, one query embedding's latency, one rerank
 * of 50 passages when a reranker is served, and the server's peak memory.
 *
 * Run:  node bench/local-model.mjs
 * Env:  MODELS=a,b,…   catalog names, hf:<org>/<repo> or folders (default: every catalog model)
 *       RERANK=spec    a cross-encoder to time (and to rerank the hybrid top 50 with)
 *       SUBSET=n       the corpus cut to every document judged for a test query plus the first n others:
 *                      a cheaper run whose figures compare models with each other, not with published ones
 *       DOCS=n         embed only the first n documents (a quick look; nDCG then means little)
 * The corpus vectors are kept in bench/out/ as they come, so an interrupted run goes on where it stopped
 * (throughput is then over the documents embedded in this run).
 */
import { spawn } from 'node:child_process'
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { CATALOG } from '../local-models/catalog.mjs'
import { ndcgAt } from './lib/trec-metrics.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const data = path.resolve(root, '../shared/fixtures/beir/scifact')
const models = (process.env.MODELS ?? Object.keys(CATALOG).join(',')).split(',').filter(Boolean)
const REQUEST = 64
// What each model's card asks to put before a query and a passage; Cairn adds these, not the server.
const PREFIXES = {
  'bge-small-en-v1.5': { query: 'Represent this sentence for searching relevant passages: ', passage: '' },
  'e5-small-v2': { query: 'query: ', passage: 'passage: ' },
}
const PUBLISHED = { 'all-MiniLM-L6-v2': 0.645, 'bge-small-en-v1.5': 0.713, 'e5-small-v2': 0.683 }

const readJsonl = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l))
const qrels = new Map()
for (const line of readFileSync(path.join(data, 'qrels/test.tsv'), 'utf8').split('\n').slice(1)) {
  const [q, doc, rel] = line.trim().split('\t')
  if (!q || !doc) continue
  if (!qrels.has(q)) qrels.set(q, new Map())
  qrels.get(q).set(doc, Number(rel))
}
const judged = new Set([...qrels.values()].flatMap((m) => [...m.keys()]))
const subset = process.env.SUBSET === undefined ? undefined : Number(process.env.SUBSET)
let others = 0
const corpus = readJsonl(path.join(data, 'corpus.jsonl'))
  .filter((d) => subset === undefined || judged.has(d._id) || others++ < subset)
  .slice(0, Number(process.env.DOCS ?? Infinity))
const queries = readJsonl(path.join(data, 'queries.jsonl')).filter((q) => qrels.has(q._id))

const meanNdcg = (rankings) => queries.reduce((s, q, i) => s + ndcgAt(rankings[i], qrels.get(q._id), 10), 0) / queries.length
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]

/** BM25 (k1 0.9, b 0.4, as Pyserini), lower-cased word tokens, no stemming: the lexical arm of the hybrid. */
function bm25Rankings() {
  const tokens = (t) => t.toLowerCase().match(/[a-z0-9]+/g) ?? []
  const docs = corpus.map((d) => tokens(`${d.title} ${d.text}`))
  const avg = docs.reduce((s, d) => s + d.length, 0) / docs.length
  const postings = new Map()
  docs.forEach((d, i) => {
    const tf = new Map()
    for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1)
    for (const [t, n] of tf) (postings.get(t) ?? postings.set(t, []).get(t)).push([i, n])
  })
  return queries.map((q) => {
    const scores = new Float64Array(docs.length)
    for (const t of new Set(tokens(q.text))) {
      const list = postings.get(t)
      if (!list) continue
      const idf = Math.log(1 + (docs.length - list.length + 0.5) / (list.length + 0.5))
      for (const [i, n] of list) scores[i] += (idf * n * 1.9) / (n + 0.9 * (0.6 + (0.4 * docs[i].length) / avg))
    }
    return top(scores, 100)
  })
}

function top(scores, k) {
  const idx = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]).slice(0, k)
  return idx.map((i) => corpus[i]._id)
}

function rrf(...rankings) {
  const score = new Map()
  for (const ranking of rankings) ranking.forEach((doc, r) => score.set(doc, (score.get(doc) ?? 0) + 1 / (60 + r + 1)))
  return [...score.keys()].sort((a, b) => score.get(b) - score.get(a))
}

function startServer(spec, rerank) {
  return new Promise((resolve, reject) => {
    const args = ['local-models/serve.mjs', '--port', '0', '--embedding', spec, ...(rerank ? ['--rerank', rerank] : [])]
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const onData = (d) => {
      output += d
      const ready = /ready at (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(output)
      if (ready) resolve({ child, base: ready[1] })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`serve.mjs exited (${code}): ${output}`)))
  })
}

async function post(base, route, body) {
  const res = await fetch(`${base}/v1/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const json = await res.json()
  if (!res.ok) throw new Error(`${route}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

/** Embeds `texts` in requests of REQUEST, appending vectors to `file` as they come and resuming from it. */
async function embedAll(base, texts, file) {
  const done = `${file}.f32`
  const partial = `${file}.partial`
  mkdirSync(path.dirname(file), { recursive: true })
  const dims = (await post(base, 'embeddings', { input: 'x' })).data[0].embedding.length
  if (existsSync(done)) return { vectors: readVectors(done), embedded: 0, seconds: 0 }
  const from = existsSync(partial) ? Math.floor(statSync(partial).size / (4 * dims)) : 0
  const started = performance.now()
  for (let i = from; i < texts.length; i += REQUEST) {
    const { data } = await post(base, 'embeddings', { input: texts.slice(i, i + REQUEST) })
    const block = new Float32Array(data.length * dims)
    data.forEach((d, k) => block.set(d.embedding, k * dims))
    appendFileSync(partial, Buffer.from(block.buffer))
    process.stdout.write(`\r  ${Math.min(i + REQUEST, texts.length)}/${texts.length}`)
  }
  process.stdout.write('\n')
  const seconds = (performance.now() - started) / 1000
  renameSync(partial, done)
  return { vectors: readVectors(done), embedded: texts.length - from, seconds }

  function readVectors(f) {
    const all = new Float32Array(new Uint8Array(readFileSync(f)).buffer)
    return Array.from({ length: all.length / dims }, (_, i) => all.subarray(i * dims, (i + 1) * dims))
  }
}

const peakMemoryMb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024

async function measure(spec, lexical) {
  const { child, base } = await startServer(spec, process.env.RERANK)
  try {
    const health = await (await fetch(`${base}/health`)).json()
    const id = health.embedding.model
    const prefix = PREFIXES[id] ?? { query: '', passage: '' }
    console.log(`${id}: embedding ${corpus.length} documents…`)
    const cache = path.join(root, 'bench/out', `local-model-${id}-${corpus.length}`)
    const { vectors: docVectors, embedded, seconds } = await embedAll(base, corpus.map((d) => `${prefix.passage}${d.title}\n${d.text}`), cache)
    const latencies = []
    const queryVectors = []
    for (const q of queries) {
      const t0 = performance.now()
      const { data } = await post(base, 'embeddings', { input: `${prefix.query}${q.text}` })
      latencies.push(performance.now() - t0)
      queryVectors.push(Float32Array.from(data[0].embedding))
    }
    const dense = queryVectors.map((qv) => top(docVectors.map((dv) => dv.reduce((s, x, i) => s + x * qv[i], 0)), 100))
    const hybrid = dense.map((d, i) => rrf(d, lexical[i]))
    const row = { id, dense: meanNdcg(dense), hybrid: meanNdcg(hybrid), textsPerS: embedded ? embedded / seconds : NaN, queryP50: percentile(latencies, 50), queryP95: percentile(latencies, 95) }
    if (health.rerank) {
      const byId = new Map(corpus.map((d) => [d._id, `${d.title}\n${d.text}`]))
      const rerankMs = []
      const reranked = []
      for (const [i, q] of queries.entries()) {
        const candidates = hybrid[i].slice(0, 50)
        const t0 = performance.now()
        const { results } = await post(base, 'rerank', { query: q.text, documents: candidates.map((d) => byId.get(d)) })
        rerankMs.push(performance.now() - t0)
        reranked.push(results.map((r) => candidates[r.index]))
      }
      Object.assign(row, { reranked: meanNdcg(reranked), rerankP50: percentile(rerankMs, 50), rerankP95: percentile(rerankMs, 95) })
    }
    row.peakMb = peakMemoryMb(child.pid)
    return row
  } finally {
    child.kill('SIGTERM')
  }
}

async function main() {
  console.log(`SciFact test: ${queries.length} queries over ${corpus.length} documents`)
  const lexical = bm25Rankings()
  const lexicalNdcg = meanNdcg(lexical)
  const rows = []
  for (const spec of models) rows.push(await measure(spec, lexical))
  const f = (x, d = 1) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(d))
  console.log(`\nBM25 here (no stemming) nDCG@10 ${lexicalNdcg.toFixed(4)}\n`)
  console.log('| model | nDCG@10 dense | published | hybrid RRF with BM25 | + rerank top 50 | texts/s (corpus) | query embed p50 / p95 ms | rerank 50 p50 / p95 ms | peak RSS MB |')
  console.log('|---|---|---|---|---|---|---|---|---|')
  for (const r of rows)
    console.log(`| ${r.id} | ${f(r.dense, 4)} | ${f(PUBLISHED[r.id], 3)} | ${f(r.hybrid, 4)} | ${f(r.reranked, 4)} | ${f(r.textsPerS)} | ${f(r.queryP50)} / ${f(r.queryP95)} | ${f(r.rerankP50)} / ${f(r.rerankP95)} | ${f(r.peakMb, 0)} |`)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
