#!/usr/bin/env node
/**
 * Ingestion throughput: pages per second from upload to `processed`, through `npm start` (both
 * Workers, the local queue, D1 and R2), beside raw unpdf text extraction of the same files in this
 * process in the same run, and their ratio. The fixture PDFs, plus a large one assembled from them.
 * Run: npm run bench:ingest   (ROUNDS=3 by default; the median round is reported)
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { assembleLarge, fixturePdfs, rawExtract } from './lib/sample-pdfs.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const fixtures = path.resolve(root, '../shared/fixtures/samples/pdf')
const rounds = Number(process.env.ROUNDS ?? 3)
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const serverLog = path.join(mkdtempSync(path.join(tmpdir(), 'cairn-bench-log-')), 'server.log')

async function ingestOnce(token, file) {
  const form = new FormData()
  form.append('file', new File([file.bytes], file.name))
  const started = performance.now()
  const res = await fetch(`${base}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
  if (res.status !== 200) throw new Error(`upload ${file.name}: ${res.status} ${await res.text()}`)
  const { id } = await res.json()
  for (;;) {
    const f = await (await fetch(`${base}/files/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()
    if (f.status === 'processed') return { pages: f.progress.pages_total, ms: performance.now() - started }
    if (f.status === 'error') throw new Error(`${file.name}: ${f.status_details}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** All files in one upload request, timed until the last is processed: throughput rather than latency. */
async function ingestBatch(token, files) {
  const form = new FormData()
  for (const f of files) form.append('file', new File([f.bytes], f.name))
  const started = performance.now()
  const res = await fetch(`${base}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
  if (res.status !== 200) throw new Error(`batch upload: ${res.status} ${await res.text()}`)
  const ids = new Set((await res.json()).map((f) => f.id))
  for (;;) {
    const list = await (await fetch(`${base}/files?limit=10000`, { headers: { authorization: `Bearer ${token}` } })).json()
    const mine = list.data.filter((f) => ids.has(f.id))
    if (mine.some((f) => f.status === 'error')) throw new Error('a file of the batch failed')
    if (mine.every((f) => f.status === 'processed')) return { pages: mine.reduce((n, f) => n + f.progress.pages_total, 0), ms: performance.now() - started }
    await new Promise((r) => setTimeout(r, 50))
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main() {
  const files = fixturePdfs(fixtures)
  files.push(await assembleLarge(files))
  const { child, token } = await startCairn({ root, port, persistTo: mkdtempSync(path.join(tmpdir(), 'cairn-bench-')), log: serverLog })
  console.log(`Cairn's log: ${serverLog}`)
  try {
    const rows = []
    for (const file of files) {
      const pipeline = []
      const raw = []
      for (let r = 0; r < rounds; r++) {
        // Interleaved, so both see the same machine load.
        raw.push(await rawExtract(file.bytes))
        pipeline.push(await ingestOnce(token, file))
      }
      const pages = pipeline[0].pages
      rows.push({ name: file.name, pages, pipelineMs: median(pipeline.map((p) => p.ms)), rawMs: median(raw.map((p) => p.ms)) })
    }
    console.log(`file                              pages   pipeline p/s   raw unpdf p/s   ratio   (median of ${rounds} rounds)`)
    let pages = 0
    let pipelineMs = 0
    let rawMs = 0
    for (const r of rows) {
      pages += r.pages
      pipelineMs += r.pipelineMs
      rawMs += r.rawMs
      const pps = (r.pages / r.pipelineMs) * 1000
      const raw = (r.pages / r.rawMs) * 1000
      console.log(`${r.name.padEnd(32)} ${String(r.pages).padStart(6)}   ${pps.toFixed(1).padStart(12)}   ${raw.toFixed(1).padStart(13)}   ${(pps / raw * 100).toFixed(0).padStart(4)} %`)
    }
    const total = (pages / pipelineMs) * 1000
    const totalRaw = (pages / rawMs) * 1000
    console.log(`${'all'.padEnd(32)} ${String(pages).padStart(6)}   ${total.toFixed(1).padStart(12)}   ${totalRaw.toFixed(1).padStart(13)}   ${(total / totalRaw * 100).toFixed(0).padStart(4)} %`)
    const batch = []
    const batchRaw = []
    for (let r = 0; r < rounds; r++) {
      let ms = 0
      for (const f of files) ms += (await rawExtract(f.bytes)).ms
      batchRaw.push(ms)
      batch.push(await ingestBatch(token, files))
    }
    const bp = (batch[0].pages / median(batch.map((b) => b.ms))) * 1000
    const br = (batch[0].pages / median(batchRaw)) * 1000
    console.log(`${'all, in one upload'.padEnd(32)} ${String(batch[0].pages).padStart(6)}   ${bp.toFixed(1).padStart(12)}   ${br.toFixed(1).padStart(13)}   ${(bp / br * 100).toFixed(0).padStart(4)} %`)
    console.log('\nGoal: end to end at least 45 % of raw extraction.')
  } finally {
    stopCairn(child)
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
