#!/usr/bin/env node
/**
 * Page rendering throughput: pages rendered per second through Cairn's pipeline (upload → queue →
 * page renders in R2, text, vision reads → `processed`, both Workers under `wrangler dev`), beside
 * raw PDFium rendering (72 dpi, PNG-encoded) of the same files in this process in the same run; and
 * vision calls per 100 pages under the default page budget, counted by a stub vision model.
 *
 * Cairn runs from a snapshot of the working tree (tracked and untracked files, node_modules linked),
 * so edits made meanwhile neither reload it nor leak into the figures; the snapshot's `.dev.vars`
 * points its vision model at the stub.
 * Run: npm run bench:render   (ROUNDS=3 by default; the median round is reported; ONLY=name for one file, LARGE=0 without the assembled one)
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'
import { PDFiumLibrary } from '@hyzyla/pdfium'
import { PDFDocument } from 'pdf-lib'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { snapshotTree } from './lib/snapshot.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const fixtures = path.resolve(root, '../shared/fixtures/samples/pdf')
const rounds = Number(process.env.ROUNDS ?? 3)
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const work = mkdtempSync(path.join(tmpdir(), 'cairn-bench-render-'))
const serverLog = path.join(work, 'server.log')

/** A copy of the working tree Cairn runs from (bench/lib/snapshot.mjs), with the vision model set in its `.dev.vars`. */
function snapshot(vars) {
  const { root: snap } = snapshotTree(root, path.join(work, 'repo'))
  writeFileSync(path.join(snap, '.dev.vars'), Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')
  return snap
}

/** A stand-in vision model: answers every chat completion at once and counts them. */
async function stubVision() {
  let calls = 0
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      if (req.url?.endsWith('/chat/completions')) calls++
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ id: 'stub', object: 'chat.completion', created: 0, model: 'bench-vision', choices: [{ index: 0, message: { role: 'assistant', content: 'A chart of benchmark results with labelled axes.' }, finish_reason: 'stop' }], usage: { prompt_tokens: 1000, completion_tokens: 12, total_tokens: 1012 } }))
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}/v1`, calls: () => calls, close: () => server.close() }
}

async function assembleLarge(files) {
  // Every fixture PDF, repeated until the document passes 300 pages (as bench:ingest does).
  const out = await PDFDocument.create()
  while (out.getPageCount() < 300) {
    for (const f of files) {
      const src = await PDFDocument.load(f.bytes, { ignoreEncryption: true })
      for (const p of await out.copyPages(src, src.getPageIndices())) out.addPage(p)
    }
  }
  return { name: 'assembled-large.pdf', bytes: new Uint8Array(await out.save()) }
}

/** The same work without Cairn: PDFium draws every page at 72 dpi and the bitmap is written as a PNG. */
async function rawRender(library, bytes) {
  const started = performance.now()
  const doc = await library.loadDocument(bytes)
  const pages = doc.getPageCount()
  for (let i = 0; i < pages; i++) {
    const { width, height, data } = await doc.getPage(i).render({ scale: 1, render: 'bitmap' })
    const rows = Buffer.alloc((width * 3 + 1) * height)
    for (let y = 0, o = 0; y < height; y++) {
      rows[o++] = 0
      for (let x = 0, s = y * width * 4; x < width; x++, s += 4) {
        rows[o++] = data[s]
        rows[o++] = data[s + 1]
        rows[o++] = data[s + 2]
      }
    }
    png(width, height, deflateSync(rows))
  }
  doc.destroy()
  return { pages, ms: performance.now() - started }
}

function png(width, height, idat) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8
  header[9] = 2
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), header, idat])
}

async function ingestOnce(token, file) {
  const form = new FormData()
  form.append('file', new File([file.bytes], file.name))
  const started = performance.now()
  const post = () => fetch(`${base}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
  // After a long raw render the kept-alive connection may have been closed by the server: send again on a new one.
  const res = await post().catch(post)
  if (res.status !== 200) throw new Error(`upload ${file.name}: ${res.status} ${await res.text()}`)
  const { id } = await res.json()
  for (;;) {
    const f = await (await fetch(`${base}/files/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()
    if (f.status === 'processed') return { pages: f.progress.pages_total, rendered: f.perception.pages_rendered, seen: f.perception.pages_seen, ms: performance.now() - started }
    if (f.status === 'error') throw new Error(`${file.name}: ${f.status_details}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main() {
  const files = readdirSync(fixtures)
    .filter((n) => n.endsWith('.pdf'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(fixtures, name))) }))
  // LARGE=0 leaves out the 336-page document assembled from the fixtures.
  if (process.env.LARGE !== '0') files.push(await assembleLarge(files))
  // ONLY=name runs the files whose name contains it (to look at one closely).
  if (process.env.ONLY) files.splice(0, files.length, ...files.filter((f) => f.name.includes(process.env.ONLY)))
  const vision = await stubVision()
  const snap = snapshot({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: vision.url, VISION_MODEL: 'bench-vision' })
  const library = await PDFiumLibrary.init()
  const { child, token } = await startCairn({ root: snap, port, persistTo: path.join(work, 'state'), log: serverLog })
  console.log(`Cairn's log: ${serverLog}`)
  try {
    const rows = []
    for (const file of files) {
      const pipeline = []
      const raw = []
      let calls = 0
      for (let r = 0; r < rounds; r++) {
        // Interleaved, so both see the same machine load.
        raw.push(await rawRender(library, file.bytes))
        const before = vision.calls()
        pipeline.push(await ingestOnce(token, file))
        calls += vision.calls() - before
      }
      rows.push({ name: file.name, pages: pipeline[0].rendered, pipelineMs: median(pipeline.map((p) => p.ms)), rawMs: median(raw.map((p) => p.ms)), calls: calls / rounds })
    }
    console.log(`file                              pages   pipeline p/s   raw pdfium p/s   ratio   vision calls   (median of ${rounds} rounds)`)
    let pages = 0
    let pipelineMs = 0
    let rawMs = 0
    let calls = 0
    for (const r of rows) {
      pages += r.pages
      pipelineMs += r.pipelineMs
      rawMs += r.rawMs
      calls += r.calls
      const pps = (r.pages / r.pipelineMs) * 1000
      const raw = (r.pages / r.rawMs) * 1000
      console.log(`${r.name.padEnd(32)} ${String(r.pages).padStart(6)}   ${pps.toFixed(1).padStart(12)}   ${raw.toFixed(1).padStart(14)}   ${((pps / raw) * 100).toFixed(0).padStart(4)} %   ${r.calls.toFixed(1).padStart(12)}`)
    }
    const total = (pages / pipelineMs) * 1000
    const totalRaw = (pages / rawMs) * 1000
    console.log(`${'all'.padEnd(32)} ${String(pages).padStart(6)}   ${total.toFixed(1).padStart(12)}   ${totalRaw.toFixed(1).padStart(14)}   ${((total / totalRaw) * 100).toFixed(0).padStart(4)} %   ${calls.toFixed(1).padStart(12)}`)
    console.log(`\nVision calls per 100 pages under the default budget (VISION_PAGES_PER_FILE=20): ${((calls / pages) * 100).toFixed(1)}`)
    console.log('Goal: at least 25 pages rendered per second through the pipeline.')
  } finally {
    stopCairn(child)
    vision.close()
    library.destroy()
    rmSync(path.join(work, 'repo'), { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
