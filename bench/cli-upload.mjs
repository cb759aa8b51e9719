#!/usr/bin/env node
/**
 * `cairn upload` against plain curl, under `npm start` (lexical, no models): the files of
 * `../shared/fixtures/samples`, and 1,000 small generated text files, each set uploaded once by curl
 * (one request a file, 4 at a time, the CLI's own parallelism) and once by `cairn upload --no-wait`,
 * into workspaces of their own, in the same run, each starting when nothing is being indexed. Prints files/s for each and the CLI's ratio to curl,
 * then the time for `cairn upload` of the small files to be uploaded and indexed.
 * Run:  npm run bench:cli-upload
 * Env:  SMALL=1000   how many small files
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { filesUnder } from './lib/files-under.mjs'

const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const samples = path.resolve(root, '../shared/fixtures/samples')
const small = Number(process.env.SMALL ?? 1000)
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const work = mkdtempSync(path.join(tmpdir(), 'cairn-cli-bench-'))

const smallDir = path.join(work, 'small')
mkdirSync(smallDir)
for (let i = 0; i < small; i++) writeFileSync(path.join(smallDir, `note-${String(i).padStart(4, '0')}.txt`), `Note ${i}. The typewriter was patented in 1868; this note has the number ${i * 7919}.\n`)

console.log(`Starting Cairn on ${base} (log: ${work}/cairn.log)…`)
const { child, token } = await startCairn({ root, port, persistTo: path.join(work, 'state'), log: path.join(work, 'cairn.log'), args: ['--no-local-models', '--inspector-port', String(port + 1)] })
const env = { ...process.env, CAIRN_CONFIG_DIR: path.join(work, 'config'), CAIRN_URL: base, CAIRN_TOKEN: token }
const api = (method, pathname, body) =>
  fetch(`${base}/v1${pathname}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body) })

/** Waits until nothing is being indexed in `workspaces`, so each upload meets an idle runtime (both Workers share one thread locally). */
async function idle(workspaces) {
  for (;;) {
    let open = 0
    for (const ws of workspaces) {
      // Now and then a local listing is never answered while the queue is busy: ask again rather than wait.
      const res = await fetch(`${base}/v1/files?workspace=${ws}&limit=10000`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) }).catch(() => null)
      if (!res) {
        console.log(`  (a listing of ${ws} went unanswered for 30 s; asking again)`)
        open += 1
        continue
      }
      const { data } = await res.json()
      open += data.filter((f) => f.status === 'uploaded' || f.status === 'processing').length
    }
    if (open === 0) return
    await new Promise((r) => setTimeout(r, 1000))
  }
}

/** curl, one request a file, 4 at a time (xargs -P 4), as a shell script would. */
async function curlUpload(files, workspace) {
  const list = path.join(work, `${workspace}.list`)
  writeFileSync(list, files.join('\n'))
  const started = performance.now()
  const { stdout } = await run('bash', ['-c', `xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\\n' -H "Authorization: Bearer ${token}" -F "file=@{}" -F workspace=${workspace} ${base}/v1/files < "${list}"`], { maxBuffer: 1 << 24 })
  const seconds = (performance.now() - started) / 1000
  const codes = {}
  for (const code of stdout.split('\n').filter(Boolean)) codes[code] = (codes[code] ?? 0) + 1
  if (Object.keys(codes).some((c) => c !== '200')) console.log(`  curl answers for ${workspace}: ${JSON.stringify(codes)}`)
  return seconds
}

async function cliUpload(dir, workspace, wait) {
  const started = performance.now()
  await run(process.execPath, [path.join(root, 'bin/cairn.mjs'), 'upload', dir, '--workspace', workspace, ...(wait ? [] : ['--no-wait'])], { env, maxBuffer: 1 << 24 }).catch((err) => {
    // A fixture that Cairn refuses (an empty file, say) makes the command exit 1: the timing still counts.
    if (!/failed/.test(err.stdout ?? '')) throw err
  })
  return (performance.now() - started) / 1000
}

try {
  const sets = [
    { name: `samples (${filesUnder(samples).length} files)`, files: filesUnder(samples), dir: samples },
    { name: `${small} small text files`, files: filesUnder(smallDir), dir: smallDir },
  ]
  console.log('\nset                          curl files/s   cairn files/s   cairn ÷ curl time')
  for (const [i, set] of sets.entries()) {
    for (const ws of [`curl-${i}`, `cli-${i}`]) await api('POST', '/workspaces', { id: ws, name: ws })
    const used = sets.slice(0, i + 1).flatMap((_, j) => [`curl-${j}`, `cli-${j}`])
    await idle(used)
    const curlSeconds = await curlUpload(set.files, `curl-${i}`)
    await idle(used)
    const cliSeconds = await cliUpload(set.dir, `cli-${i}`, false)
    const n = set.files.length
    console.log(`${set.name.padEnd(28)} ${(n / curlSeconds).toFixed(1).padStart(13)} ${(n / cliSeconds).toFixed(1).padStart(15)} ${(cliSeconds / curlSeconds).toFixed(2).padStart(18)}×`)
  }
  await api('POST', '/workspaces', { id: 'cli-wait', name: 'cli-wait' })
  await idle(['curl-0', 'cli-0', 'curl-1', 'cli-1'])
  const withIngestion = await cliUpload(smallDir, 'cli-wait', true)
  console.log(`\ncairn upload of the ${small} small files, uploaded and indexed: ${withIngestion.toFixed(1)} s, ${(small / withIngestion).toFixed(1)} files/s`)
  console.log('Goal: ≥ 100 small files/s uploaded, the CLI within 10 % of curl.')
} finally {
  stopCairn(child)
}
