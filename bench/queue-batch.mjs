#!/usr/bin/env node
/**
 * The local ingest queue's batch size, measured: under `npm start` (lexical, no models), FILES SciFact
 * abstracts uploaded in forms of 50 into a fresh state, timed until none is left uploaded or
 * processing, for each consumer batch size in BATCHES, ROUNDS times in turn, with new workspaces'
 * indexes on SHARDS shards (0: D1's tables). Prints documents/s per run and each size's mean against
 * the first size's, measured in the same run.
 *
 * It sets `max_batch_size` of the local `cairn-ingest` consumer in workers/ingest/wrangler.toml and
 * `INDEX_SHARDS` in wrangler.toml's local vars for each run, and puts both files back at the end: run
 * it in a worktree (CHECKOUT=) when this checkout is serving anything, since wrangler reloads on edits.
 *
 * Run:  node bench/queue-batch.mjs
 *       CHECKOUT=/work/wt-bench BATCHES=1,4,10 SHARDS=1 FILES=1000 ROUNDS=2 node bench/queue-batch.mjs
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { cairnApi, parseJsonl } from './lib/cairn-api.mjs'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const root = path.resolve(process.env.CHECKOUT ?? here)
const batches = (process.env.BATCHES ?? '1,4,10').split(',').map(Number)
const shards = Number(process.env.SHARDS ?? 1)
const files = Number(process.env.FILES ?? 1000)
const rounds = Number(process.env.ROUNDS ?? 2)
process.env.CAIRN_LOCAL_MODELS = 'off'

const corpus = parseJsonl(readFileSync(path.resolve(here, '../shared/fixtures/beir/scifact/corpus.jsonl'), 'utf8')).slice(0, files)
const apiConfig = path.join(root, 'wrangler.toml')
const ingestConfig = path.join(root, 'workers', 'ingest', 'wrangler.toml')
const original = { api: readFileSync(apiConfig, 'utf8'), ingest: readFileSync(ingestConfig, 'utf8') }

/** The two configs with this run's settings: the local ingest consumer's batch size, and the local shard count. */
function configure(batch) {
  const consumer = /(\[\[env\.local\.queues\.consumers\]\]\nqueue = "cairn-ingest"\nmax_batch_size = )\d+/
  if (!consumer.test(original.ingest)) throw new Error(`no local cairn-ingest consumer with max_batch_size in ${ingestConfig}`)
  writeFileSync(ingestConfig, original.ingest.replace(consumer, `$1${batch}`))
  writeFileSync(apiConfig, original.api.replace('[env.local.vars]\n', `[env.local.vars]\nINDEX_SHARDS = "${shards}"\n`))
}

async function ingestOnce() {
  const dir = mkdtempSync(path.join(tmpdir(), 'cairn-queue-batch-'))
  const port = 22000 + Math.floor(Math.random() * 8000)
  const api = cairnApi(`http://localhost:${port}`)
  const { child, token } = await startCairn({ root, port, persistTo: dir, log: path.join(dir, 'cairn.log') })
  try {
    const started = performance.now()
    for (let i = 0; i < corpus.length; i += 50) {
      const form = new FormData()
      for (const d of corpus.slice(i, i + 50)) form.append('file', new File([`# ${d.title}\n\n${d.text}\n`], `batch-${d._id}.md`))
      await api(token, 'POST', '/files', form)
    }
    const count = async (filter) => (await api(token, 'GET', `/files?limit=1&metadata=${encodeURIComponent(filter)}`)).body.total
    while ((await count('status in ["uploaded", "processing"]')) > 0) await new Promise((r) => setTimeout(r, 500))
    const seconds = (performance.now() - started) / 1000
    const admin = JSON.parse(readFileSync(path.join(dir, 'cairn-local.json'), 'utf8')).adminToken
    const org = (await api(token, 'GET', '/workspaces/default')).body.org_id
    const placement = (await api(admin, 'GET', `/workspaces/default/index?org=${org}`)).body
    return { perSecond: files / seconds, seconds, errors: await count('status = "error"'), shards: placement.shards }
  } finally {
    const exited = new Promise((r) => child.once('exit', r))
    stopCairn(child)
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    rmSync(dir, { recursive: true, force: true })
  }
}

const results = new Map(batches.map((b) => [b, []]))
console.log(`${files} SciFact abstracts per run, index on ${shards === 0 ? "D1's tables" : `${shards} shard(s)`}, batch sizes ${batches.join(', ')}, ${rounds} round(s), in ${root}`)
try {
  for (let round = 1; round <= rounds; round++) {
    for (const batch of batches) {
      configure(batch)
      const run = await ingestOnce()
      results.get(batch).push(run.perSecond)
      console.log(`  round ${round}, batch ${String(batch).padStart(3)}: ${run.seconds.toFixed(1)} s, ${run.perSecond.toFixed(1)} documents/s, ${run.errors} errors (index on ${run.shards} shard(s))`)
    }
  }
} finally {
  writeFileSync(apiConfig, original.api)
  writeFileSync(ingestConfig, original.ingest)
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length
const base = mean(results.get(batches[0]))
console.log('\n  batch  documents/s  vs first')
for (const [batch, runs] of results) console.log(`  ${String(batch).padStart(5)}  ${mean(runs).toFixed(1).padStart(11)}  ${(mean(runs) / base).toFixed(2).padStart(7)}×`)
