#!/usr/bin/env node
/**
 * Box accuracy on real SEC filings and reports (../shared/fixtures/docqa): `npm start` on a random
 * port, lexical only, a few PDFs uploaded, their docqa questions asked of `l0-retrieval` (top_k 10,
 * no filter), and every element that carries `boxes` checked independently: PyMuPDF reads the
 * characters under the boxes (bench/lib/text-under-boxes.py), and the element counts as covered when
 * at least 90 % of its text's tokens are there. Also printed: the share of PDF elements with boxes,
 * the precision (tokens under the boxes that the element holds), boxes per element, and the
 * `boxes` phase of the search (Server-Timing).
 *
 * Run:  npm run bench:boxes            (needs `pip install pymupdf`)
 * Env:  BOXES_FILES=a.pdf,b.pdf  which docqa PDFs (default: the nine FinanceBench filings, a paper and a report)
 *       BOXES_QUESTIONS=n        questions asked at most (default 40)
 *       PYTHON=python3           the Python with PyMuPDF
 *       SHOW=misses              print each element not covered, with what lies under its boxes
 *       JSON=file                write every boxed element, with what PyMuPDF read under its boxes, to a file
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cairnApi, parseJsonl } from './lib/cairn-api.mjs'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const data = path.resolve(root, '../shared/fixtures/docqa')
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const api = cairnApi(base)
const TOP_K = 10
const COVERED = 0.9
const GOAL = 0.95

/** The nine FinanceBench filings, a two-column paper and a report: the docqa PDFs whose pages are text (1,176 pages). */
const DEFAULT_FILES = [
  '3M_2022_10K.pdf',
  'AMAZON_2017_10K.pdf',
  'AMCOR_2023_10K.pdf',
  'BESTBUY_2023_10K.pdf',
  'BOEING_2022_10K.pdf',
  'JOHNSON_JOHNSON_2022_10K.pdf',
  'MGMRESORTS_2022Q4_EARNINGS.pdf',
  'PFIZER_2021_10K.pdf',
  'ULTABEAUTY_2023Q4_EARNINGS.pdf',
  '2023.acl-long.386.pdf',
  'PG_2020.03.09_US-Germany_FINAL.pdf',
]
const files = (process.env.BOXES_FILES ?? DEFAULT_FILES.join(',')).split(',').filter(Boolean)
const maxQuestions = Number(process.env.BOXES_QUESTIONS ?? 40)
const python = process.env.PYTHON ?? 'python3'

/** Where a docqa PDF is kept, by file name. */
function pdfPath(filename) {
  for (const set of ['financebench', 'mmlongbench-doc']) {
    const file = path.join(data, set, 'pdfs', filename)
    if (existsSync(file)) return file
  }
  throw new Error(`no docqa PDF named ${filename}`)
}

/** The docqa questions about the chosen PDFs, taken in turn from each PDF so that every one is asked about. */
function questions() {
  const byFile = new Map(files.map((f) => [f, []]))
  for (const q of parseJsonl(readFileSync(path.join(data, 'financebench', 'questions.jsonl'), 'utf8'))) byFile.get(`${q.doc_name}.pdf`)?.push(q.question)
  for (const q of parseJsonl(readFileSync(path.join(data, 'mmlongbench-doc', 'questions.jsonl'), 'utf8'))) byFile.get(q.doc_id)?.push(q.question)
  const out = []
  for (let i = 0; out.length < maxQuestions && [...byFile.values()].some((qs) => qs.length > i); i++) {
    for (const qs of byFile.values()) if (qs[i] && out.length < maxQuestions) out.push(qs[i])
  }
  return out
}

async function ingest(token) {
  const started = performance.now()
  for (const file of files) {
    const form = new FormData()
    form.append('file', new File([readFileSync(pdfPath(file))], file, { type: 'application/pdf' }))
    await api(token, 'POST', '/files', form)
  }
  for (;;) {
    const listed = (await api(token, 'GET', '/files?limit=100')).body.data
    const pending = listed.filter((f) => f.status === 'uploaded' || f.status === 'processing').length
    process.stdout.write(`\r  ${files.length} PDFs uploaded; ${pending} still being indexed (${((performance.now() - started) / 1000).toFixed(0)} s)   `)
    if (pending === 0) {
      for (const f of listed.filter((f) => f.status === 'error')) console.log(`\n  ${f.filename}: error: ${f.status_details}`)
      console.log(`\n  indexed in ${((performance.now() - started) / 1000).toFixed(0)} s`)
      return
    }
    await new Promise((r) => setTimeout(r, 2000))
  }
}

const timing = (header, name) => Number(new RegExp(`(?:^|,)\\s*${name};dur=([\\d.]+)`).exec(header ?? '')?.[1] ?? NaN)

const percentile = (xs, p) => {
  const sorted = [...xs].filter(Number.isFinite).sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN
}

async function main() {
  const asked = questions()
  const state = mkdtempSync(path.join(tmpdir(), 'cairn-boxes-'))
  const log = path.join(tmpdir(), `cairn-boxes-${port}.log`)
  console.log(`boxes: ${files.length} PDFs, ${asked.length} questions; Cairn's output in ${log}`)
  // Lexical only (fast), and an inspector port of its own so a second `npm start` on the machine does not clash.
  process.env.CAIRN_LOCAL_MODELS = 'off'
  const { child, token } = await startCairn({ root, port, persistTo: state, log, args: ['--inspector-port', String(port + 1)] })
  try {
    await ingest(token)
    const elements = new Map()
    let onPdfPages = 0
    const boxesMs = []
    const totalMs = []
    for (const question of asked) {
      const parts = [{ type: 'filter', top_k: TOP_K }, { type: 'text', text: question }]
      const { body, headers } = await api(token, 'POST', '/v1/chat/completions', { model: 'l0-retrieval', messages: [{ role: 'user', content: parts }] })
      boxesMs.push(timing(headers.get('server-timing'), 'boxes'))
      totalMs.push(timing(headers.get('server-timing'), 'total'))
      for (const c of body.choices) {
        onPdfPages++
        if (!elements.has(c.metadata.chunk_id)) elements.set(c.metadata.chunk_id, { ...c.metadata, text: c.message.content })
      }
    }
    const unique = [...elements.values()]
    const boxed = unique.filter((e) => e.boxes)
    const input = boxed.map((e) => ({ id: e.chunk_id, pdf: pdfPath(e.filename), page: e.page, boxes: e.boxes, text: e.text }))
    const checked = JSON.parse(execFileSync(python, [path.join(root, 'bench/lib/text-under-boxes.py')], { input: JSON.stringify(input), maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }))
    const byId = new Map(checked.map((r) => [r.id, r]))
    const covered = boxed.filter((e) => byId.get(e.chunk_id).recall >= COVERED)
    const mean = (xs) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length)
    const pct = (n, d) => `${((100 * n) / Math.max(1, d)).toFixed(1)} %`
    console.log(`\nelements returned: ${onPdfPages} (${unique.length} distinct chunks); with boxes: ${boxed.length}/${unique.length} (${pct(boxed.length, unique.length)})`)
    for (const e of unique.filter((e) => !e.boxes)) console.log(`  no boxes: ${e.filename} p${e.page} ${e.modality} ${JSON.stringify(e.text.slice(0, 60))}`)
    console.log(`covered (PyMuPDF finds ≥ ${COVERED * 100} % of the element's tokens under its boxes): ${covered.length}/${boxed.length} = ${pct(covered.length, boxed.length)} (goal ≥ ${GOAL * 100} %)`)
    console.log(`token recall under the boxes: mean ${mean(checked.map((r) => r.recall)).toFixed(3)}, min ${Math.min(...checked.map((r) => r.recall)).toFixed(3)}`)
    console.log(`token precision under the boxes: mean ${mean(checked.map((r) => r.precision)).toFixed(3)}, p10 ${percentile(checked.map((r) => r.precision), 10).toFixed(3)}`)
    console.log(`boxes per element: mean ${mean(boxed.map((e) => e.boxes.length)).toFixed(1)}, max ${Math.max(...boxed.map((e) => e.boxes.length))}`)
    console.log(`search: boxes phase p50 ${percentile(boxesMs, 50).toFixed(0)} ms, p95 ${percentile(boxesMs, 95).toFixed(0)} ms; total p50 ${percentile(totalMs, 50).toFixed(0)} ms, p95 ${percentile(totalMs, 95).toFixed(0)} ms`)
    if (process.env.JSON) writeFileSync(process.env.JSON, JSON.stringify(boxed.map((e) => ({ ...e, ...byId.get(e.chunk_id) })), null, 1))
    if (process.env.SHOW === 'misses') {
      for (const e of boxed.filter((e) => byId.get(e.chunk_id).recall < COVERED)) {
        const r = byId.get(e.chunk_id)
        console.log(`\nMISS ${e.filename} p${e.page} recall ${r.recall.toFixed(2)} precision ${r.precision.toFixed(2)} boxes ${JSON.stringify(e.boxes)}`)
        console.log(`  text:  ${JSON.stringify(e.text.slice(0, 300))}`)
        console.log(`  under: ${JSON.stringify(r.under)}`)
      }
    }
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    stopCairn(child)
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    rmSync(state, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
