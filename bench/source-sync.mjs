#!/usr/bin/env node
/**
 * Syncing an S3-compatible bucket (s3rver on 127.0.0.1) against uploading the same files with
 * `cairn upload`, under `npm start` (lexical, no models), in the same run: the files of
 * `../shared/fixtures/samples` plus 1,000 small generated text files. Prints, for each way in, the
 * files/s stored and the files/s stored and indexed, and the sync's ratio to the upload; then the time a
 * second sync takes with nothing changed, and a third after 10 objects changed, 5 deleted and 5 added.
 * Run:  npm run bench:source-sync
 * Env:  SMALL=1000   how many small files
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { AwsClient } from 'aws4fetch'
import S3rver from 's3rver'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { filesUnder } from './lib/files-under.mjs'

const run = promisify(execFile)
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const samples = path.resolve(root, '../shared/fixtures/samples')
const small = Number(process.env.SMALL ?? 1000)
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const work = mkdtempSync(path.join(tmpdir(), 'cairn-source-bench-'))
const seconds = (since) => (performance.now() - since) / 1000

const smallDir = path.join(work, 'files', 'small')
mkdirSync(smallDir, { recursive: true })
for (let i = 0; i < small; i++) writeFileSync(path.join(smallDir, `note-${String(i).padStart(4, '0')}.txt`), `Note ${i}. The typewriter was patented in 1868; this note has the number ${i * 7919}.\n`)
const objects = [
  ...filesUnder(samples).map((f) => ({ key: `samples/${path.relative(samples, f)}`, file: f })),
  ...filesUnder(smallDir).map((f) => ({ key: `small/${path.basename(f)}`, file: f })),
]

// The bucket: s3rver with SigV4 checked, filled over its API.
const s3Port = port + 2
const s3 = new S3rver({ port: s3Port, address: '127.0.0.1', silent: true, directory: path.join(work, 's3'), configureBuckets: [{ name: 'bench' }] })
await s3.run()
const s3Url = `http://127.0.0.1:${s3Port}`
const aws = new AwsClient({ accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1', service: 's3' })
const put = async (key, body) => {
  const res = await aws.fetch(`${s3Url}/bench/${key.split('/').map(encodeURIComponent).join('/')}`, { method: 'PUT', body })
  if (!res.ok) throw new Error(`PUT ${key}: ${res.status} ${await res.text()}`)
}
const del = async (key) => aws.fetch(`${s3Url}/bench/${key.split('/').map(encodeURIComponent).join('/')}`, { method: 'DELETE' })
for (let i = 0; i < objects.length; i += 16) await Promise.all(objects.slice(i, i + 16).map((o) => put(o.key, readFileSync(o.file))))
console.log(`Bucket filled: ${objects.length} objects (${filesUnder(samples).length} samples, ${small} small files).`)

console.log(`Starting Cairn on ${base} (log: ${work}/cairn.log)…`)
const { child, token } = await startCairn({ root, port, persistTo: path.join(work, 'state'), log: path.join(work, 'cairn.log'), args: ['--no-local-models', '--inspector-port', String(port + 1)] })
const api = async (method, pathname, body) => {
  const res = await fetch(`${base}/v1${pathname}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body && JSON.stringify(body), signal: AbortSignal.timeout(120_000) })
  const json = await res.json()
  if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(json)}`)
  return json
}

/** Polls until every file of the workspace is processed or in error; returns their count. */
async function indexed(workspace, expected) {
  for (;;) {
    const res = await fetch(`${base}/v1/files?workspace=${workspace}&limit=10000`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(60_000) }).catch(() => null)
    if (res?.ok) {
      const { data } = await res.json()
      if (data.length >= expected && data.every((f) => f.status === 'processed' || f.status === 'error')) return data.length
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
}

async function syncUntilIdle(sourceId) {
  for (;;) {
    const source = await api('GET', `/sources/${sourceId}`)
    if (source.status !== 'syncing') return source
    await new Promise((r) => setTimeout(r, 250))
  }
}

try {
  for (const ws of ['upload', 'bucket']) await api('POST', '/workspaces', { id: ws, name: ws })

  // Baseline: the same files from disk with `cairn upload --no-wait`, then until indexed.
  const uploadDir = path.join(work, 'files')
  mkdirSync(path.join(uploadDir, 'samples'), { recursive: true })
  for (const f of filesUnder(samples)) {
    const to = path.join(uploadDir, 'samples', path.relative(samples, f))
    mkdirSync(path.dirname(to), { recursive: true })
    writeFileSync(to, readFileSync(f))
  }
  const env = { ...process.env, CAIRN_CONFIG_DIR: path.join(work, 'config'), CAIRN_URL: base, CAIRN_TOKEN: token }
  let started = performance.now()
  await run(process.execPath, [path.join(root, 'bin/cairn.mjs'), 'upload', uploadDir, '--workspace', 'upload', '--no-wait'], { env, maxBuffer: 1 << 26 }).catch((err) => {
    if (!/failed/.test(err.stdout ?? '')) throw err
  })
  const uploadStored = seconds(started)
  const uploadFiles = await indexed('upload', 0)
  const uploadIndexed = seconds(started)

  // The bucket as a source: connect, sync, wait until indexed.
  started = performance.now()
  const source = await api('POST', '/sources', {
    type: 's3',
    name: 'bench-bucket',
    workspace: 'bucket',
    settings: { endpoint: s3Url, bucket: 'bench', region: 'us-east-1', access_key_id: 'S3RVER', secret_access_key: 'S3RVER' },
  })
  const first = await syncUntilIdle(source.id)
  const syncStored = seconds(started)
  const sourceFiles = await indexed('bucket', first.last_sync.added)
  const syncIndexed = seconds(started)

  console.log(`\n${objects.length} objects             stored: s   files/s   stored+indexed: s   files/s`)
  console.log(`cairn upload (baseline)   ${uploadStored.toFixed(1).padStart(9)} ${(uploadFiles / uploadStored).toFixed(1).padStart(9)} ${uploadIndexed.toFixed(1).padStart(19)} ${(uploadFiles / uploadIndexed).toFixed(1).padStart(9)}`)
  console.log(`S3 source, first sync     ${syncStored.toFixed(1).padStart(9)} ${(sourceFiles / syncStored).toFixed(1).padStart(9)} ${syncIndexed.toFixed(1).padStart(19)} ${(sourceFiles / syncIndexed).toFixed(1).padStart(9)}`)
  console.log(`sync ÷ upload, files/s    ${(sourceFiles / syncStored / (uploadFiles / uploadStored)).toFixed(2).padStart(9)}× ${''.padStart(9)} ${(sourceFiles / syncIndexed / (uploadFiles / uploadIndexed)).toFixed(2).padStart(19)}×`)
  console.log(`first sync: ${JSON.stringify(first.last_sync)}; files: upload ${uploadFiles}, source ${sourceFiles}`)

  started = performance.now()
  await api('POST', `/sources/${source.id}/sync`)
  const second = await syncUntilIdle(source.id)
  console.log(`\nsecond sync, nothing changed: ${seconds(started).toFixed(2)} s for ${second.last_sync.unchanged} unchanged objects (${JSON.stringify(second.last_sync)}). Goal: under 5 s for 1,000.`)

  const smallKeys = objects.filter((o) => o.key.startsWith('small/')).map((o) => o.key)
  for (const key of smallKeys.slice(0, 10)) await put(key, `Changed ${key}: the typewriter was patented in 1868 by Sholes.\n`)
  for (const key of smallKeys.slice(10, 15)) await del(key)
  for (let i = 0; i < 5; i++) await put(`small/added-${i}.txt`, `Added note ${i}.\n`)
  started = performance.now()
  await api('POST', `/sources/${source.id}/sync`)
  const third = await syncUntilIdle(source.id)
  console.log(`third sync, 10 changed, 5 deleted, 5 added: ${seconds(started).toFixed(2)} s (${JSON.stringify(third.last_sync)})`)
} finally {
  stopCairn(child)
  await s3.close()
}
