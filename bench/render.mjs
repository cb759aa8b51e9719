#!/usr/bin/env node
/**
 * PDF pages as pictures, through `npm start` (both Workers under `wrangler dev`), each beside the
 * same work done raw in this process in the same run:
 *
 * 1. Drawing on demand: every page of each fixture PDF asked once of
 *    `GET /files/{id}/pages/{n}/image` (API Worker → PAGE_RENDERER binding → the ingest Worker's
 *    PDFium → R2 → PNG), on a Cairn without a vision model so no page was drawn before; beside raw
 *    PDFium drawing the same pages at the same pixel sizes and writing them as PNGs.
 * 2. Ingestion with a vision model (a stub that answers at once and counts its calls, default page
 *    budget): pages per second from upload to `processed`, beside raw unpdf text extraction (the
 *    baseline of bench:ingest); pages drawn at ingestion; vision calls per 100 pages.
 *
 * Cairn runs from a snapshot of the working tree (tracked and untracked files, node_modules linked),
 * so edits made meanwhile neither reload it nor leak into the figures; the snapshot's `.dev.vars`
 * chooses the vision model.
 * Run: npm run bench:render   (ROUNDS=3 by default; the median round is reported; ONLY=name for one file, LARGE=0 without the assembled one)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync } from 'node:zlib'
import { PDFiumLibrary } from '@hyzyla/pdfium'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { assembleLarge, fixturePdfs, rawExtract } from './lib/sample-pdfs.mjs'
import { snapshotTree } from './lib/snapshot.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const fixtures = path.resolve(root, '../shared/fixtures/samples/pdf')
const rounds = Number(process.env.ROUNDS ?? 3)
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const work = mkdtempSync(path.join(tmpdir(), 'cairn-bench-render-'))
const serverLog = path.join(work, 'server.log')
const snap = snapshotTree(root, path.join(work, 'repo')).root

/** Starts Cairn from the snapshot with these `.dev.vars`, on a fresh state folder. */
async function startWith(vars, name) {
  writeFileSync(path.join(snap, '.dev.vars'), Object.entries(vars).map(([k, v]) => `${k}=${v}`).join('\n') + '\n')
  return startCairn({ root: snap, port, persistTo: path.join(work, `state-${name}`), log: serverLog })
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

/** The same drawing without Cairn: PDFium draws each page at the given pixel size and the bitmap is written as a PNG. */
async function rawRender(library, bytes, sizes) {
  const started = performance.now()
  const doc = await library.loadDocument(bytes)
  for (const [i, size] of sizes.entries()) {
    const { width, height, data } = await doc.getPage(i).render({ width: size.width, height: size.height, render: 'bitmap' })
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
  return { ms: performance.now() - started }
}

function png(width, height, idat) {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8
  header[9] = 2
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), header, idat])
}

async function upload(token, file) {
  const form = new FormData()
  form.append('file', new File([file.bytes], file.name))
  const post = () => fetch(`${base}/files`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form })
  // After a long raw run the kept-alive connection may have been closed by the server: send again on a new one.
  const res = await post().catch(post)
  if (res.status !== 200) throw new Error(`upload ${file.name}: ${res.status} ${await res.text()}`)
  return (await res.json()).id
}

async function processed(token, id, name) {
  for (;;) {
    const f = await (await fetch(`${base}/files/${id}`, { headers: { authorization: `Bearer ${token}` } })).json()
    if (f.status === 'processed') return f
    if (f.status === 'error') throw new Error(`${name}: ${f.status_details}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Uploads and waits: pages per second from upload to `processed`, and what perception did. */
async function ingestOnce(token, file) {
  const started = performance.now()
  const f = await processed(token, await upload(token, file), file.name)
  return { pages: f.progress.pages_total, drawn: f.perception.pages_rendered, ms: performance.now() - started }
}

/** Every page of a processed file asked once of the page image route: the time, and each PNG's size. */
async function drawAll(token, file, pages) {
  const id = await upload(token, file)
  await processed(token, id, file.name)
  const sizes = []
  const started = performance.now()
  for (let page = 1; page <= pages; page++) {
    const res = await fetch(`${base}/files/${id}/pages/${page}/image`, { headers: { authorization: `Bearer ${token}` } })
    const body = new Uint8Array(await res.arrayBuffer())
    if (res.status !== 200) throw new Error(`${file.name} page ${page}: ${res.status} ${new TextDecoder().decode(body)}`)
    const view = new DataView(body.buffer, body.byteOffset)
    sizes.push({ width: view.getUint32(16), height: view.getUint32(20) })
  }
  return { ms: performance.now() - started, sizes }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const rate = (pages, ms) => (pages / ms) * 1000
const cell = (n, width, digits = 1) => n.toFixed(digits).padStart(width)

function printTable(title, header, rows, line) {
  console.log(`\n${title}`)
  console.log(header)
  for (const r of rows) console.log(line(r))
}

async function main() {
  const files = fixturePdfs(fixtures)
  if (process.env.LARGE !== '0') files.push(await assembleLarge(files))
  if (process.env.ONLY) files.splice(0, files.length, ...files.filter((f) => f.name.includes(process.env.ONLY)))
  const library = await PDFiumLibrary.init()
  const vision = await stubVision()
  console.log(`Cairn's log: ${serverLog}`)
  try {
    // 1. Ingestion with a vision model.
    const ingestion = []
    let cairn = await startWith({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: vision.url, VISION_MODEL: 'bench-vision' }, 'vision')
    try {
      for (const file of files) {
        const pipeline = []
        const raw = []
        let calls = 0
        for (let r = 0; r < rounds; r++) {
          // Interleaved, so both see the same machine load.
          raw.push(await rawExtract(file.bytes))
          const before = vision.calls()
          pipeline.push(await ingestOnce(cairn.token, file))
          calls += vision.calls() - before
        }
        ingestion.push({ name: file.name, pages: pipeline[0].pages, drawn: pipeline[0].drawn, ms: median(pipeline.map((p) => p.ms)), rawMs: median(raw.map((p) => p.ms)), calls: calls / rounds })
      }
    } finally {
      stopCairn(cairn.child)
    }

    // 2. Drawing on demand, on a Cairn that drew nothing at ingestion.
    await new Promise((r) => setTimeout(r, 2000))
    const drawing = []
    cairn = await startWith({ MODEL_PROVIDER: 'none' }, 'on-demand')
    try {
      for (const file of files) {
        const pages = ingestion.find((i) => i.name === file.name).pages
        const pipeline = []
        const raw = []
        for (let r = 0; r < rounds; r++) {
          const drawn = await drawAll(cairn.token, file, pages)
          pipeline.push(drawn)
          raw.push(await rawRender(library, file.bytes, drawn.sizes))
        }
        drawing.push({ name: file.name, pages, ms: median(pipeline.map((p) => p.ms)), rawMs: median(raw.map((p) => p.ms)) })
      }
    } finally {
      stopCairn(cairn.child)
    }

    const sum = (rows, key) => rows.reduce((n, r) => n + r[key], 0)
    const all = (rows) => ({ name: 'all', pages: sum(rows, 'pages'), ms: sum(rows, 'ms'), rawMs: sum(rows, 'rawMs'), drawn: sum(rows, 'drawn'), calls: sum(rows, 'calls') })
    printTable(
      `Drawing on demand: GET /files/{id}/pages/{n}/image for every page, nothing drawn before (median of ${rounds} rounds)`,
      'file                              pages   pipeline p/s   raw pdfium p/s (same sizes)   ratio',
      [...drawing, all(drawing)],
      (r) => `${r.name.padEnd(32)} ${String(r.pages).padStart(6)}   ${cell(rate(r.pages, r.ms), 12)}   ${cell(rate(r.pages, r.rawMs), 27)}   ${cell((r.rawMs / r.ms) * 100, 4, 0)} %`,
    )
    printTable(
      `Ingestion with a vision model (stub, VISION_PAGES_PER_FILE=20) (median of ${rounds} rounds)`,
      'file                              pages   pipeline p/s   raw unpdf p/s   ratio   pages drawn   vision calls',
      [...ingestion, all(ingestion)],
      (r) => `${r.name.padEnd(32)} ${String(r.pages).padStart(6)}   ${cell(rate(r.pages, r.ms), 12)}   ${cell(rate(r.pages, r.rawMs), 13)}   ${cell((r.rawMs / r.ms) * 100, 4, 0)} %   ${String(r.drawn).padStart(11)}   ${cell(r.calls, 12)}`,
    )
    const total = all(ingestion)
    console.log(`\nVision calls per 100 pages under the default budget: ${((total.calls / total.pages) * 100).toFixed(1)}`)
    console.log('Goal: at least 25 pages drawn per second through the pipeline.')
  } finally {
    vision.close()
    library.destroy()
    rmSync(path.join(work, 'repo'), { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
