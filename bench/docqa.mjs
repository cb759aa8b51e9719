#!/usr/bin/env node
/**
 * Document QA page retrieval through the real API (../shared/fixtures/docqa, its README says how to
 * score): `npm start` on a random port, every PDF of FinanceBench and MMLongBench-Doc uploaded into one
 * workspace, each question asked of `l0-retrieval` with top_k 10 and no filter. A question is a hit
 * when an element is on a gold page of the gold file. Also printed: document hit@10, page hit@10 with
 * a `filename = '<doc>.pdf'` filter (told which document), and the page MRR@10.
 *
 * Run:  node bench/docqa.mjs
 * Env:  STATE=dir      keep the state folder and reuse its ingestion (re-ask only)
 *       VARS=K:V,K:V   extra `--var` settings for both Workers (e.g. an ablation)
 *       LABEL=text     names the run in the output
 *       SHOW=misses    print each question that missed, with what came back first
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cairnApi, parseJsonl } from './lib/cairn-api.mjs'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const data = path.resolve(root, '../shared/fixtures/docqa')
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const TOP_K = 10
const STALL_MS = 10 * 60_000

const readJsonl = (file) => parseJsonl(readFileSync(file, 'utf8'))

/** Both benchmarks' questions as `{ set, question, filename, pages }`, pages 1-indexed; unanswerable ones left out. */
export function docqaQuestions() {
  const out = []
  for (const q of readJsonl(path.join(data, 'financebench', 'questions.jsonl'))) {
    // evidence_page_num is 0-indexed upstream (README).
    const pages = [...new Set(q.evidence.map((e) => e.evidence_page_num + 1))]
    out.push({ set: 'FinanceBench', question: q.question, filename: `${q.doc_name}.pdf`, pages })
  }
  for (const q of readJsonl(path.join(data, 'mmlongbench-doc', 'questions.jsonl'))) {
    if (q.answer === 'Not answerable') continue
    const pages = JSON.parse(q.evidence_pages || '[]')
    if (pages.length === 0) continue
    out.push({ set: 'MMLongBench-Doc', question: q.question, filename: q.doc_id, pages })
  }
  return out
}

const api = cairnApi(base)

/** Uploads every PDF, one file per request, and waits until none is still being indexed. */
async function ingest(token) {
  const files = ['financebench', 'mmlongbench-doc'].flatMap((set) =>
    readdirSync(path.join(data, set, 'pdfs')).filter((f) => f.endsWith('.pdf')).map((f) => path.join(data, set, 'pdfs', f)),
  )
  const started = performance.now()
  for (const file of files) {
    const form = new FormData()
    form.append('file', new File([readFileSync(file)], path.basename(file), { type: 'application/pdf' }))
    await api(token, 'POST', '/files', form)
  }
  let pending = Infinity
  let lastProgress = performance.now()
  for (;;) {
    const listed = (await api(token, 'GET', '/files?limit=100')).body.data
    const now = listed.filter((f) => f.status === 'uploaded' || f.status === 'processing').length
    if (now < pending) {
      pending = now
      lastProgress = performance.now()
    }
    process.stdout.write(`\r  ${files.length} PDFs uploaded; ${pending} still being indexed (${((performance.now() - started) / 1000).toFixed(0)} s)   `)
    if (pending === 0) {
      const failed = listed.filter((f) => f.status === 'error')
      for (const f of failed) console.log(`\n  ${f.filename}: error: ${f.status_details}`)
      const ms = performance.now() - started
      console.log(`\n  indexed ${files.length - failed.length} of ${files.length} PDFs in ${(ms / 1000).toFixed(0)} s`)
      return { files: files.length, failed: failed.length, ms }
    }
    if (performance.now() - lastProgress > STALL_MS) throw new Error(`no progress for ${STALL_MS / 1000} s with ${pending} files in flight`)
    await new Promise((r) => setTimeout(r, 3000))
  }
}

const timing = (header, name) => Number(new RegExp(`(?:^|,)\\s*${name};dur=([\\d.]+)`).exec(header ?? '')?.[1] ?? NaN)

async function ask(token, question, filter) {
  const parts = [{ type: 'filter', top_k: TOP_K, ...(filter ? { filter } : {}) }, { type: 'text', text: question }]
  const started = performance.now()
  const { body, headers } = await api(token, 'POST', '/v1/chat/completions', { model: 'l0-retrieval', messages: [{ role: 'user', content: parts }] })
  return {
    hits: body.choices.map((c) => ({ filename: c.metadata.filename, page: c.metadata.page ?? null })),
    clientMs: performance.now() - started,
    serverMs: timing(headers.get('server-timing'), 'total'),
  }
}

/** 1-based rank of the first element on a gold page of the gold file, or null. */
const pageRank = (q, hits) => {
  const i = hits.findIndex((h) => h.filename === q.filename && q.pages.includes(h.page))
  return i < 0 ? null : i + 1
}

const percentile = (xs, p) => {
  const sorted = [...xs].filter(Number.isFinite).sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

async function main() {
  const questions = docqaQuestions()
  const keep = process.env.STATE !== undefined
  const state = keep ? path.resolve(process.env.STATE) : mkdtempSync(path.join(tmpdir(), 'cairn-docqa-'))
  const marker = path.join(state, 'docqa-ingested.json')
  const vars = (process.env.VARS ?? '').split(',').filter(Boolean).flatMap((v) => ['--var', v])
  const log = path.join(keep ? state : tmpdir(), `cairn-docqa-${port}.log`)
  console.log(`docqa dev half${process.env.LABEL ? ` (${process.env.LABEL})` : ''}: ${questions.length} questions; state in ${state}; Cairn's output in ${log}`)
  const { child, token } = await startCairn({ root, port, persistTo: state, log, args: vars })
  try {
    let ingestion = existsSync(marker) ? JSON.parse(readFileSync(marker, 'utf8')) : null
    if (ingestion) console.log(`  reusing the ingestion of ${ingestion.files} PDFs`)
    else {
      ingestion = await ingest(token)
      if (keep) writeFileSync(marker, JSON.stringify(ingestion))
    }
    await ask(token, 'warm up') // not counted
    const runs = []
    for (const q of questions) {
      const open = await ask(token, q.question)
      const told = await ask(token, q.question, `filename = '${q.filename.replace(/'/g, "''")}'`)
      runs.push({ q, open, told })
    }
    const sets = ['FinanceBench', 'MMLongBench-Doc']
    console.log(`\n${'set'.padEnd(16)} ${'n'.padStart(3)}  page hit@10   doc hit@10   page MRR@10   page hit@10 told the file`)
    const figures = {}
    for (const set of sets) {
      const rs = runs.filter((r) => r.q.set === set)
      const page = rs.filter((r) => pageRank(r.q, r.open.hits) !== null).length
      const doc = rs.filter((r) => r.open.hits.some((h) => h.filename === r.q.filename)).length
      const mrr = rs.reduce((s, r) => s + (pageRank(r.q, r.open.hits) ? 1 / pageRank(r.q, r.open.hits) : 0), 0) / rs.length
      const told = rs.filter((r) => pageRank(r.q, r.told.hits) !== null).length
      const pct = (n) => `${String(n).padStart(3)}/${rs.length} ${((100 * n) / rs.length).toFixed(0).padStart(3)} %`
      console.log(`${set.padEnd(16)} ${String(rs.length).padStart(3)}  ${pct(page)}   ${pct(doc)}   ${mrr.toFixed(3).padStart(11)}   ${pct(told)}`)
      figures[set] = { n: rs.length, page, doc, mrr, told }
    }
    const server = runs.map((r) => r.open.serverMs)
    const client = runs.map((r) => r.open.clientMs)
    console.log(`retrieval (no filter): server p50 ${percentile(server, 50).toFixed(0)} ms, p95 ${percentile(server, 95).toFixed(0)} ms; client p95 ${percentile(client, 95).toFixed(0)} ms`)
    if (process.env.SHOW === 'misses') {
      for (const r of runs.filter((r) => pageRank(r.q, r.open.hits) === null)) {
        console.log(`\nMISS ${r.q.filename} p${r.q.pages.join(',')}: ${r.q.question.slice(0, 140)}`)
        console.log(`  got: ${r.open.hits.slice(0, 5).map((h) => `${h.filename.slice(0, 18)} p${h.page}`).join(' | ')}`)
      }
    }
    console.log(`Goals: FinanceBench page hit@10 ≥ 60 %, MMLongBench-Doc ≥ 75 %.`)
    if (process.env.JSON) writeFileSync(process.env.JSON, JSON.stringify({ label: process.env.LABEL ?? null, figures, server: { p50: percentile(server, 50), p95: percentile(server, 95) } }, null, 2))
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    stopCairn(child)
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    if (!keep) rmSync(state, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
