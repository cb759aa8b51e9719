#!/usr/bin/env node
/**
 * BEIR SciFact through the real API: `npm start` on a random port and a fresh state folder, the corpus
 * uploaded as one Markdown file per abstract (title as heading), the queries asked of `l0-retrieval`
 * with top_k 100, scored as trec_eval's ndcg_cut.10 (with -c) and Recall@100, with server time (from
 * Server-Timing) and client round trip percentiles.
 *
 * Run:  node bench/scifact.mjs
 * Env:  SPLIT=test|train (default test; tune on train only)
 *       SCALE=n          the corpus n times, copies under new doc ids (only the originals are relevant)
 *       STATE=dir        keep the state folder there and reuse an earlier ingestion of the same SCALE
 *                        (bench/scifact-scale.py makes a SCALE=n state from a SCALE=1 one quickly)
 *       QUERIES=n        ask only the first n queries of the split
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cairnApi, parseJsonl } from './lib/cairn-api.mjs'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { percentile } from './lib/percentile.mjs'
import { ndcgAt, recallAt } from './lib/trec-metrics.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const data = path.resolve(root, '../shared/fixtures/beir/scifact')
const split = process.env.SPLIT ?? 'test'
const scale = Math.max(1, Number(process.env.SCALE ?? 1))
const maxQueries = Number(process.env.QUERIES ?? Infinity)
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const BATCH = 100
const STALL_MS = 90_000
const PUBLISHED = { 'BM25 flat (Lucene, Pyserini)': 0.6789, 'BM25 multifield (Pyserini)': 0.6647 }

const readJsonl = (file) => parseJsonl(readFileSync(file, 'utf8'))

function readQrels(file) {
  const qrels = new Map()
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [q, doc, rel] = line.trim().split('\t')
    if (!q || !doc) continue
    if (!qrels.has(q)) qrels.set(q, new Map())
    qrels.get(q).set(doc, Number(rel))
  }
  return qrels
}

const api = cairnApi(base)

/** Runs `work` over `items` with at most `n` at a time. */
async function pool(items, n, work) {
  let next = 0
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await work(items[next++])
  }))
}

const countWhere = async (token, filter) => (await api(token, 'GET', `/files?limit=1&metadata=${encodeURIComponent(filter)}`)).body.total

/** Uploads every document (copies after the originals), tags each with its doc id, waits until all are processed. */
async function ingest(token, corpus) {
  const docs = []
  for (let copy = 0; copy < scale; copy++) for (const d of corpus) docs.push({ ...d, _id: copy === 0 ? d._id : `${d._id}-copy${copy}` })
  const batches = []
  for (let i = 0; i < docs.length; i += BATCH) batches.push(docs.slice(i, i + BATCH))
  const started = performance.now()
  let uploaded = 0
  // Metadata in a form applies to every file of the upload, so the doc id goes on each file after.
  await pool(batches, 2, async (batch) => {
    const form = new FormData()
    for (const d of batch) form.append('file', new File([`# ${d.title}\n\n${d.text}\n`], `${d._id}.md`))
    form.append('metadata', JSON.stringify({ corpus: 'scifact' }))
    const files = (await api(token, 'POST', '/files', form)).body
    await pool(files.map((f, i) => [f, batch[i]]), 4, ([f, d]) => api(token, 'PATCH', `/files/${f.id}/metadata`, { doc_id: d._id }))
    uploaded += batch.length
    if (uploaded % 1000 < BATCH) process.stdout.write(`\r  uploaded ${uploaded}/${docs.length}`)
  })
  const uploadMs = performance.now() - started
  let pending = Infinity
  let lastProgress = performance.now()
  let totalMs = 0
  for (;;) {
    const now = await countWhere(token, 'status in ["uploaded", "processing"]')
    if (now < pending) {
      pending = now
      lastProgress = performance.now()
      totalMs = lastProgress - started
    }
    process.stdout.write(`\r  uploaded ${docs.length} in ${(uploadMs / 1000).toFixed(0)} s; ${pending} still being indexed   `)
    if (pending === 0) break
    // `wrangler dev` restarts when a watched source file changes, and its local queue loses what it held.
    if (performance.now() - lastProgress > STALL_MS) {
      console.log(`\n  no progress for ${STALL_MS / 1000} s: ${pending} files never left the queue (did wrangler dev reload?); measuring without them`)
      break
    }
    await new Promise((r) => setTimeout(r, 2000))
  }
  const failed = await countWhere(token, 'status = "error"')
  const indexed = docs.length - pending - failed
  console.log(`\n  indexed ${indexed} of ${docs.length} documents in ${(totalMs / 1000).toFixed(0)} s (${((indexed / totalMs) * 1000).toFixed(1)} docs/s), ${failed} failed`)
  return { docs: indexed, uploaded: docs.length, totalMs, failed }
}

const timing = (header, name) => Number(new RegExp(`(?:^|,)\\s*${name};dur=([\\d.]+)`).exec(header ?? '')?.[1] ?? NaN)

async function ask(token, text) {
  const started = performance.now()
  const { body, headers } = await api(token, 'POST', '/v1/chat/completions', {
    model: 'l0-retrieval',
    messages: [{ role: 'user', content: [{ type: 'filter', top_k: 100 }, { type: 'text', text }] }],
  })
  const clientMs = performance.now() - started
  const st = headers.get('server-timing')
  // Chunks to documents, each at its best rank; copies keep their own ids.
  const ranked = []
  const seen = new Set()
  for (const choice of body.choices) {
    const doc = String(choice.metadata.file_metadata.doc_id ?? choice.metadata.filename.replace(/\.md$/, ''))
    if (seen.has(doc)) continue
    seen.add(doc)
    ranked.push(doc)
  }
  return { ranked, clientMs, serverMs: timing(st, 'total'), lexicalMs: timing(st, 'lexical') }
}

async function main() {
  const corpus = readJsonl(path.join(data, 'corpus.jsonl'))
  const queries = new Map(readJsonl(path.join(data, 'queries.jsonl')).map((q) => [q._id, q.text]))
  const qrels = readQrels(path.join(data, 'qrels', `${split}.tsv`))
  const asked = [...qrels.keys()].slice(0, maxQueries)

  const keep = process.env.STATE !== undefined
  const state = keep ? path.resolve(process.env.STATE) : mkdtempSync(path.join(tmpdir(), 'cairn-scifact-'))
  const marker = path.join(state, `scifact-ingested-x${scale}.json`)
  console.log(`SciFact ${split}: ${asked.length} queries over ${corpus.length} × ${scale} documents; state in ${state}`)
  const log = path.join(keep ? state : tmpdir(), `cairn-scifact-${port}.log`)
  console.log(`  Cairn's output: ${log}`)
  const { child, token } = await startCairn({ root, port, persistTo: state, log })
  try {
    let ingestion = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : null
    if (ingestion) console.log(`  reusing the ingestion of ${ingestion.docs} documents from ${marker}`)
    else {
      ingestion = await ingest(token, corpus)
      if (keep) writeFileSync(marker, JSON.stringify(ingestion))
    }

    for (const q of asked.slice(0, 5)) await ask(token, queries.get(q)) // warm-up, not counted
    const runs = []
    for (const q of asked) runs.push({ q, ...(await ask(token, queries.get(q))) })

    const mean = (f) => runs.reduce((s, r) => s + f(r), 0) / runs.length
    const ndcg = mean((r) => ndcgAt(r.ranked, qrels.get(r.q), 10))
    const recall = mean((r) => recallAt(r.ranked, qrels.get(r.q), 100))
    const line = (name, xs) => `  ${name.padEnd(22)} p50 ${percentile(xs, 50).toFixed(1).padStart(6)} ms   p95 ${percentile(xs, 95).toFixed(1).padStart(6)} ms   max ${Math.max(...xs).toFixed(1).padStart(6)} ms`
    console.log(`\nSciFact ${split}, ${runs.length} queries, corpus × ${scale} (${ingestion.docs} documents)`)
    console.log(`  nDCG@10                ${ndcg.toFixed(4)}${scale > 1 ? '   (copies count as non-relevant, and tie with their originals)' : ''}`)
    if (scale > 1) {
      const originals = (r) => r.ranked.filter((d) => !d.includes('-copy'))
      console.log(`  nDCG@10, copies removed ${mean((r) => ndcgAt(originals(r), qrels.get(r.q), 10)).toFixed(4)}`)
    }
    console.log(`  Recall@100             ${recall.toFixed(4)}   (over the distinct documents in 100 chunks)`)
    for (const [name, value] of Object.entries(PUBLISHED)) console.log(`  published ${name.padEnd(30)} nDCG@10 ${value.toFixed(4)}`)
    console.log(line('server (Server-Timing)', runs.map((r) => r.serverMs)))
    console.log(line('  of which lexical', runs.map((r) => r.lexicalMs)))
    console.log(line('client round trip', runs.map((r) => r.clientMs)))
    const lost = ingestion.uploaded !== undefined && ingestion.uploaded > ingestion.docs + ingestion.failed ? `; ${ingestion.uploaded - ingestion.docs - ingestion.failed} uploaded but never indexed` : ''
    if (ingestion.copiedWithSql) console.log(`  corpus                 ${ingestion.docs} documents: the corpus ingested once through the API, copies written with SQL (bench/scifact-scale.py)`)
    else console.log(`  ingestion              ${(ingestion.totalMs / 1000).toFixed(0)} s for ${ingestion.docs} documents (${ingestion.failed} failed${lost})`)
    console.log('Goals: nDCG@10 ≥ 0.69 (test), server p50 < 50 ms, p95 < 150 ms.')
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    stopCairn(child)
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    if (!keep) rmSync(state, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
