#!/usr/bin/env node
/**
 * The local queue after an inflating PDF: `npm start` on a fresh state gets `expanding.pdf` (one page
 * whose few KB of content stream inflate to ~15 million characters), then small good files queued
 * behind it. Prints when each file turns terminal; the later files must be processed, not left queued.
 * Run: node bench/expanding-pdf.mjs   (exit 1 if a file is still open after 5 minutes)
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { expandingPdf } from '../test/support/amplifying-files.mjs'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const samples = path.resolve(root, '../shared/fixtures/samples')
const log = path.join(mkdtempSync(path.join(tmpdir(), 'cairn-expanding-log-')), 'server.log')
const GIVE_UP_MS = 5 * 60 * 1000
const GOOD = ['markdown/duck.md', 'csv/csv-comma.csv', 'pdf/normal_4pages.pdf', 'docx/lorem_ipsum.docx', 'text/uspto_patent_pftaps057006474.txt']

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

async function upload(base, token, files) {
  const form = new FormData()
  for (const [name, bytes] of files) form.append('file', new File([bytes], name))
  const res = await fetch(`${base}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
  if (res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`)
  return [await res.json()].flat()
}

async function main() {
  console.log(`Cairn's log: ${log}`)
  const port = await freePort()
  const base = `http://localhost:${port}`
  const persistTo = mkdtempSync(path.join(tmpdir(), 'cairn-expanding-'))
  const { child, token } = await startCairn({ root, port, persistTo, log, args: ['--inspector-port', String(await freePort())] })
  const started = performance.now()
  const seconds = () => ((performance.now() - started) / 1000).toFixed(1)
  let open = []
  try {
    // One request, so the messages are queued in this order: the PDF first, the good files behind it.
    const uploaded = await upload(base, token, [['expanding.pdf', expandingPdf()], ...GOOD.map((rel) => [path.basename(rel), readFileSync(path.join(samples, rel))])])
    const seen = new Map()
    for (;;) {
      const res = await fetch(`${base}/files?limit=100`, { headers: { authorization: `Bearer ${token}` } })
      const files = (await res.json()).data ?? []
      for (const f of files) {
        if ((f.status === 'processed' || f.status === 'error') && !seen.has(f.id)) {
          seen.set(f.id, f.status)
          console.log(`${seconds()} s  ${f.filename}: ${f.status}${f.status_details ? ` — ${f.status_details}` : ''}`)
        }
      }
      open = uploaded.filter((f) => !seen.has(f.id)).map((f) => f.filename)
      if (open.length === 0 || performance.now() - started > GIVE_UP_MS) break
      await new Promise((r) => setTimeout(r, 500))
    }
  } finally {
    stopCairn(child)
  }
  console.log(open.length ? `STILL OPEN after ${seconds()} s: ${open.join(', ')}` : `all terminal in ${seconds()} s`)
  process.exit(open.length ? 1 : 0)
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
