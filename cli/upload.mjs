/**
 * `cairn upload`: walks the paths, hashes each file, skips those the workspace already holds (Cairn
 * keeps each file's SHA-256, so a second run — or a run after Ctrl-C — sends only what is missing),
 * uploads the rest — small files several to a request, four requests at a time — with one overall bar
 * and a line per file, then follows ingestion
 * with a second bar until every file is `processed` or `error`. Failures are listed with their sentences.
 */
import { durationSeconds } from './duration.mjs'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import cliProgress from 'cli-progress'

const PARALLEL = 4
const POLL_MS = 1000
/** A request carries at most this many files and bytes: small files travel together, big ones alone. */
const BATCH_FILES = 25
const BATCH_BYTES = 8 * 1024 * 1024

/** Groups files that share their metadata (`keyOf`) into requests within the batch limits. */
export function batches(items, keyOf) {
  const groups = new Map()
  for (const item of items) {
    const key = keyOf(item)
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key).push(item)
  }
  const out = []
  for (const group of groups.values()) {
    let current = []
    let bytes = 0
    for (const item of group) {
      if (current.length > 0 && (current.length >= BATCH_FILES || bytes + item.bytes.length > BATCH_BYTES)) {
        out.push(current)
        current = []
        bytes = 0
      }
      current.push(item)
      bytes += item.bytes.length
    }
    if (current.length > 0) out.push(current)
  }
  return out
}

/** Every file under `paths` (folders walked, dot-files skipped), with the folder it was found under. */
export function walk(paths) {
  const found = []
  const visit = (file, root) => {
    const stat = statSync(file)
    if (stat.isDirectory()) {
      for (const name of readdirSync(file).sort()) if (!name.startsWith('.')) visit(path.join(file, name), root)
    } else if (stat.isFile()) found.push({ file, relative: path.relative(root, file) || path.basename(file) })
  }
  for (const p of paths) {
    const stat = statSync(p)
    visit(p, stat.isDirectory() ? p : path.dirname(p))
  }
  return found
}

/** Metadata from a file's folders: `"category/author"` names the first folder `category`, the second `author`. */
export function metadataFromPath(relative, pattern) {
  if (!pattern) return {}
  const keys = pattern.split('/').filter(Boolean)
  const folders = path.dirname(relative).split(path.sep).filter((f) => f && f !== '.')
  return Object.fromEntries(keys.flatMap((k, i) => (folders[i] ? [[k, folders[i]]] : [])))
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

async function allFiles(api, workspace) {
  const r = await api.json('GET', `/files?workspace=${encodeURIComponent(workspace)}&limit=10000`)
  return r.data
}

/**
 * A progress bar with lines printed above it on a terminal; piped, only the lines (no bar, no escapes).
 */
function progress(out, label, total, unit) {
  if (!out.tty) return { log: out.line, increment() {}, update() {}, setTotal() {}, stop() {} }
  const multi = new cliProgress.MultiBar({ format: `${label} {bar} {value}/{total} ${unit}`, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic)
  const bar = multi.create(total, 0)
  return {
    log: (text) => multi.log(`${text}\n`),
    increment: (n = 1) => bar.increment(n),
    update: (value) => bar.update(value),
    setTotal: (value) => bar.setTotal(value),
    stop: () => multi.stop(),
  }
}

export async function upload(api, out, paths, options) {
  const { colors: c } = out
  const workspace = options.workspace
  const baseMetadata = options.metadata ? JSON.parse(options.metadata) : {}
  // Read before anything is sent, so a mistyped duration stops the run at once.
  const expiresAfter = options.expiresAfter === undefined ? null : durationSeconds(options.expiresAfter)
  const entries = walk(paths)
  const present = new Set((await allFiles(api, workspace)).map((f) => f.sha256).filter(Boolean))
  const todo = []
  let skipped = 0
  for (const entry of entries) {
    const bytes = readFileSync(entry.file)
    const hash = sha256(bytes)
    if (present.has(hash)) skipped++
    else {
      present.add(hash) // the same bytes twice in one run are sent once
      todo.push({ ...entry, bytes })
    }
  }
  out.line(`${entries.length} files found; ${skipped} already in "${workspace}"; ${todo.length} to upload.`)

  const failures = []
  const uploaded = []
  const bar = progress(out, 'Uploading', todo.length, 'files')
  const log = bar.log
  const metadataOf = (item) => ({ ...baseMetadata, ...metadataFromPath(item.relative, options.metadataFromPath) })
  /** One request for `items` (which share their metadata); resolves with the file objects in order. */
  const send = async (items) => {
    const form = new FormData()
    for (const item of items) form.append('file', new Blob([item.bytes]), path.basename(item.file))
    form.append('workspace', workspace)
    const metadata = metadataOf(items[0])
    if (Object.keys(metadata).length > 0) form.append('metadata', JSON.stringify(metadata))
    if (options.instructions) form.append('instructions', options.instructions)
    if (expiresAfter !== null) {
      form.append('expires_after[anchor]', 'created_at')
      form.append('expires_after[seconds]', String(expiresAfter))
    }
    const answer = await (await api.request('POST', '/files', { body: form })).json()
    return Array.isArray(answer) ? answer : [answer]
  }
  const queue = batches(todo, (item) => JSON.stringify(metadataOf(item)))
  const worker = async () => {
    for (let batch = queue.shift(); batch; batch = queue.shift()) {
      try {
        const files = await send(batch)
        files.forEach((file, i) => {
          uploaded.push({ ...file, relative: batch[i].relative })
          log(`${c.green('uploaded')} ${batch[i].relative}`)
        })
      } catch (err) {
        // Cairn refuses a whole request for one bad file: send each alone to learn which, and why.
        if (batch.length > 1) {
          queue.push(...batch.map((item) => [item]))
          continue
        }
        failures.push({ relative: batch[0].relative, reason: err.message })
        log(`${c.red('refused')}  ${batch[0].relative}: ${err.message}`)
      }
      bar.increment(batch.length)
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  bar.stop()

  if (uploaded.length > 0 && options.wait !== false) await follow(api, out, uploaded, failures, workspace)
  if (failures.length > 0) {
    out.line(c.red(`\n${failures.length} file${failures.length === 1 ? '' : 's'} failed:`))
    for (const f of failures) out.line(`  ${f.relative}: ${f.reason}`)
  }
  out.line(`Done: ${uploaded.length} uploaded, ${skipped} skipped, ${failures.length} failed.`)
  return failures.length === 0
}

/** Polls the files until each is terminal, with a bar of pages (or files) done. */
async function follow(api, out, uploaded, failures, workspace) {
  const ids = new Map(uploaded.map((f) => [f.id, f.relative]))
  let total = uploaded.length
  const bar = progress(out, 'Indexing ', total, 'pages')
  if (!out.tty) out.line(`Indexing ${uploaded.length} files…`)
  for (;;) {
    const files = (await allFiles(api, workspace)).filter((f) => ids.has(f.id))
    let done = 0
    total = 0
    for (const f of files) {
      const pages = f.progress?.pages_total ?? 1
      total += pages
      done += f.status === 'processed' || f.status === 'error' ? pages : Math.min(f.progress?.pages_done ?? 0, pages)
    }
    bar.setTotal(total)
    bar.update(done)
    const open = files.filter((f) => f.status === 'uploaded' || f.status === 'processing')
    if (open.length === 0) {
      bar.stop()
      for (const f of files.filter((x) => x.status === 'error')) failures.push({ relative: ids.get(f.id), reason: f.status_details, ingested: true })
      out.line(`Indexed: ${files.filter((f) => f.status === 'processed').length} processed, ${files.filter((f) => f.status === 'error').length} error.`)
      return
    }
    await new Promise((r) => setTimeout(r, POLL_MS))
  }
}
