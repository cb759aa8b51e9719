#!/usr/bin/env node
/**
 * What the local models cost ingestion: the large PDF assembled from the fixtures (336 pages) uploaded
 * to two `npm start`s side by side — one with the local model server (embeddings and OCR, the
 * default), one with `--no-local-models` (lexical only) — in alternating rounds, so both see the
 * same machine load. Prints pages per second from upload to `processed` for each, and their ratio.
 *
 * Run:  npm run bench:ingest-models   (ROUNDS=2 by default; the median round is reported)
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { assembleLarge, fixturePdfs } from './lib/sample-pdfs.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const fixtures = path.resolve(root, '../shared/fixtures/samples/pdf')
const rounds = Number(process.env.ROUNDS ?? 2)
const logDir = mkdtempSync(path.join(tmpdir(), 'cairn-ingest-models-logs-'))

async function start(name, args) {
  const port = 21000 + Math.floor(Math.random() * 9000)
  const { child, token } = await startCairn({ root, port, persistTo: mkdtempSync(path.join(tmpdir(), `cairn-bench-${name}-`)), log: path.join(logDir, `${name}.log`), args })
  return { name, child, token, base: `http://localhost:${port}` }
}

async function ingestOnce(cairn, file) {
  const headers = { authorization: `Bearer ${cairn.token}` }
  const form = new FormData()
  form.append('file', new File([file.bytes], file.name))
  const started = performance.now()
  const res = await fetch(`${cairn.base}/files`, { method: 'POST', headers, body: form })
  if (res.status !== 200) throw new Error(`${cairn.name}: upload ${res.status} ${await res.text()}`)
  const { id } = await res.json()
  for (;;) {
    const f = await (await fetch(`${cairn.base}/files/${id}`, { headers })).json()
    if (f.status === 'processed') return { pages: f.progress.pages_total, chunks: f.progress.chunks, ms: performance.now() - started, note: f.status_details }
    if (f.status === 'error') throw new Error(`${cairn.name}: ${f.status_details}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main() {
  const large = await assembleLarge(fixturePdfs(fixtures))
  const lexical = await start('lexical', ['--no-local-models'])
  const models = await start('models', [])
  console.log(`Logs: ${logDir}`)
  try {
    const runs = { lexical: [], models: [] }
    for (let r = 0; r < rounds; r++) {
      for (const cairn of [lexical, models]) runs[cairn.name].push(await ingestOnce(cairn, large))
    }
    const row = (name, label) => {
      const ms = median(runs[name].map((x) => x.ms))
      const { pages, chunks, note } = runs[name][0]
      console.log(`${label.padEnd(44)} ${String(pages).padStart(5)} pages ${String(chunks).padStart(5)} chunks ${(ms / 1000).toFixed(1).padStart(7)} s ${((pages / ms) * 1000).toFixed(2).padStart(7)} pages/s${note ? `  (${note})` : ''}`)
      return (pages / ms) * 1000
    }
    console.log(`${large.name}, median of ${rounds} rounds, upload to processed:`)
    const off = row('lexical', 'lexical only (--no-local-models)')
    const on = row('models', 'local models (embeddings + OCR of scans)')
    console.log(`ratio, with the local models ÷ without: ${(on / off).toFixed(2)}`)
  } finally {
    stopCairn(lexical.child)
    stopCairn(models.child)
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
