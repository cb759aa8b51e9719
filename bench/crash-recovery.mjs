#!/usr/bin/env node
/**
 * Crash recovery: `npm start` is killed (SIGKILL, every process of the runtime) while it indexes the
 * 336-page PDF and ten small files, then started again on the same state. Its in-memory queue is
 * gone; the ingest watch's alarm, stored with the state, must find the stalled files and finish them.
 * Measures the time from the restart until every file is terminal (goal: within 5 minutes), and
 * compares each file's chunk count with a clean run of the same files on a fresh state.
 * Run: npm run bench:recovery
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { killCairn, startCairn, stopCairn } from './lib/cairn-process.mjs'
import { assembleLarge, fixturePdfs } from './lib/sample-pdfs.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const samples = path.resolve(root, '../shared/fixtures/samples')
const logDir = mkdtempSync(path.join(tmpdir(), 'cairn-recovery-log-'))
const GOAL_MS = 5 * 60 * 1000
/** Past the goal, the run gives up waiting and reports what is still not terminal. */
const GIVE_UP_MS = 10 * 60 * 1000
/** The runs' state folders (a copy of the 22 MB PDF each), removed at the end. */
const stateDirs = []
const stateDir = (name) => {
  const dir = mkdtempSync(path.join(tmpdir(), `cairn-recovery-${name}-`))
  stateDirs.push(dir)
  return dir
}

const SMALL = [
  'markdown/duck.md',
  'markdown/wiki.md',
  'text/uspto_patent_pftaps057006474.txt',
  'csv/csv-comma.csv',
  'json/tesseract.js_package.json',
  'docx/word_tables.docx',
  'docx/lorem_ipsum.docx',
  'pptx/powerpoint_sample.pptx',
  'xlsx/xlsx_01.xlsx',
  'pdf/normal_4pages.pdf',
]

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

/** A port for the API and one for workerd's inspector, which others' dev servers may hold at its default. */
async function start(persistTo, name) {
  const port = await freePort()
  const args = ['--inspector-port', String(await freePort())]
  const started = performance.now()
  const { child, token } = await startCairn({ root, port, persistTo, log: path.join(logDir, `${name}.log`), args })
  return { child, token, base: `http://localhost:${port}`, readyMs: performance.now() - started, startedAt: started }
}

async function upload(cairn, files) {
  const form = new FormData()
  for (const f of files) form.append('file', new File([f.bytes], f.name))
  const res = await fetch(`${cairn.base}/files`, { method: 'POST', headers: { authorization: `Bearer ${cairn.token}` }, body: form })
  if (res.status !== 200) throw new Error(`upload: ${res.status} ${await res.text()}`)
  // One file comes back as a file object, several as a list.
  const body = await res.json()
  return (Array.isArray(body) ? body : [body]).map((f) => f.id)
}

async function listed(cairn, ids) {
  // A request lost in a dying runtime must not hang the run.
  const res = await fetch(`${cairn.base}/files?limit=10000`, { headers: { authorization: `Bearer ${cairn.token}` }, signal: AbortSignal.timeout(10_000) })
  const byId = new Map((await res.json()).data.map((f) => [f.id, f]))
  return ids.map((id) => byId.get(id))
}

const terminal = (f) => f && (f.status === 'processed' || f.status === 'error')

async function untilAllTerminal(cairn, ids, deadlineMs) {
  for (;;) {
    const files = await listed(cairn, ids).catch(() => null)
    if (files?.every(terminal)) return files
    if (performance.now() > deadlineMs) return files
    await new Promise((r) => setTimeout(r, 500))
  }
}

async function loadFiles() {
  const large = await assembleLarge(fixturePdfs(path.join(samples, 'pdf')))
  const small = SMALL.map((p) => ({ name: path.basename(p), bytes: new Uint8Array(readFileSync(path.join(samples, p))) }))
  return [large, ...small]
}

/**
 * The big file first; the small ones once it is planned, so their messages queue behind its parts
 * and a kill catches them still `uploaded` while the big file is half done.
 */
async function uploadAll(cairn, files) {
  const [bigId] = await upload(cairn, files.slice(0, 1))
  for (;;) {
    const [big] = await listed(cairn, [bigId]).catch(() => [])
    if (big && (big.progress.pages_total !== null || terminal(big))) break
    await new Promise((r) => setTimeout(r, 25))
  }
  return [bigId, ...(await upload(cairn, files.slice(1)))]
}

async function cleanRun(files) {
  const cairn = await start(stateDir('clean'), 'clean')
  try {
    const began = performance.now()
    const ids = await uploadAll(cairn, files)
    const done = await untilAllTerminal(cairn, ids, began + GIVE_UP_MS)
    return { files: done, ms: performance.now() - began }
  } finally {
    stopCairn(cairn.child)
  }
}

async function crashRun(files) {
  const persistTo = stateDir('crash')
  const first = await start(persistTo, 'crash-before')
  const ids = await uploadAll(first, files)
  // Under way: the big file is processing with some of its parts done and some not.
  let atKill
  for (;;) {
    const [big, ...rest] = await listed(first, ids).catch(() => [])
    if (!big) continue
    const { pages_done: done, pages_total: total } = big.progress
    if (big.status === 'processing' && done > 0 && done < total) {
      atKill = { bigPagesDone: done, bigPagesTotal: total, smallTerminal: rest.filter(terminal).length, smallUploaded: rest.filter((f) => f.status === 'uploaded').length }
      break
    }
    if (terminal(big)) {
      stopCairn(first.child)
      throw new Error('the big file finished before the runtime could be killed; nothing to recover')
    }
    await new Promise((r) => setTimeout(r, 25))
  }
  const killed = killCairn(first.child, persistTo)
  await new Promise((r) => setTimeout(r, 1000))
  const second = await start(persistTo, 'crash-after')
  try {
    const [big, ...rest] = await listed(second, ids)
    const afterRestart = { bigStatus: big.status, bigPagesDone: big.progress.pages_done, smallTerminal: rest.filter(terminal).length }
    const done = await untilAllTerminal(second, ids, second.startedAt + GIVE_UP_MS)
    return { files: done, atKill, afterRestart, killedGroups: killed.length, readyMs: second.readyMs, sinceRestartMs: performance.now() - second.startedAt }
  } finally {
    stopCairn(second.child)
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

async function main() {
  const files = await loadFiles()
  console.log(`Files: ${files[0].name} (${(files[0].bytes.length / 1e6).toFixed(1)} MB) and ${files.length - 1} small ones. Logs: ${logDir}`)
  const clean = await cleanRun(files)
  console.log(`Clean run (fresh state, no kill): all terminal ${seconds(clean.ms)} after the first upload.`)
  const crash = await crashRun(files)
  const k = crash.atKill
  console.log(`Killed (SIGKILL to ${crash.killedGroups} process groups) with the big file at ${k.bigPagesDone}/${k.bigPagesTotal} pages; of the small files ${k.smallTerminal} terminal, ${k.smallUploaded} still uploaded.`)
  const a = crash.afterRestart
  console.log(`Restarted on the same state: ready in ${seconds(crash.readyMs)}; the big file read ${a.bigStatus} at ${a.bigPagesDone} pages, ${a.smallTerminal} small files terminal.`)
  const allTerminal = crash.files?.every(terminal)
  console.log(allTerminal ? `Every file terminal ${seconds(crash.sinceRestartMs)} after the restart began (goal ≤ ${seconds(GOAL_MS)}): ${crash.sinceRestartMs <= GOAL_MS ? 'met' : 'NOT met'}.` : `NOT every file terminal after ${seconds(GIVE_UP_MS)}.`)
  console.log('\nfile                                status (clean → crash)     chunks clean   chunks crash   same')
  let same = 0
  files.forEach((f, i) => {
    const a = clean.files?.[i]
    const b = crash.files?.[i]
    const match = a && b && a.status === b.status && a.progress.chunks === b.progress.chunks
    if (match) same += 1
    console.log(`${f.name.padEnd(36)}${`${a?.status} → ${b?.status}`.padEnd(27)}${String(a?.progress.chunks).padStart(12)}   ${String(b?.progress.chunks).padStart(12)}   ${match ? 'yes' : 'NO'}`)
  })
  console.log(`\n${same}/${files.length} files end as in the clean run.`)
  if (!allTerminal || same !== files.length) process.exitCode = 1
}

main()
  .catch((err) => {
    console.error(err)
    process.exitCode = 1
  })
  .finally(async () => {
    // Give the stopped runtimes a moment to let go of their files.
    await new Promise((r) => setTimeout(r, 3000))
    for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true })
    process.exit()
  })
