#!/usr/bin/env node
/**
 * The `l0` agent's latency under load: `npm start` from a frozen copy of the tree, its reasoning model
 * a scripted OpenAI-compatible server of fixed latency (in a process of its own), a few fixture files uploaded;
 * then 1, 10 and 50 streaming runs at once, each timed to its first streamed byte, first reasoning
 * chunk, first content and end, and Cairn's own overhead per round (one model call):
 * (total − latency × calls) / calls. The baseline, measured in the same run, makes the same number of
 * calls to the scripted model directly, at the same concurrency.
 * Run:  npm run bench:agent
 * Env:  LATENCY_MS=200    each model call's duration
 *       LEVELS=1,10,50    the concurrencies
 *       SAMPLES=10        runs measured at least per level (whole waves of the level's size)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startCairn, stopCairn } from './lib/cairn-process.mjs'
import { startScriptedModel } from './lib/scripted-model.mjs'
import { snapshotTree } from './lib/snapshot.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const samples = path.resolve(root, '../shared/fixtures/samples')
const latencyMs = Number(process.env.LATENCY_MS ?? 200)
const levels = (process.env.LEVELS ?? '1,10,50').split(',').map(Number)
const minSamples = Number(process.env.SAMPLES ?? 10)
const port = 21000 + Math.floor(Math.random() * 9000)
const base = `http://localhost:${port}`
const FIRST_BYTE_GOAL_MS = 500
const FILES = ['pdf/multi_page.pdf', 'pdf/normal_4pages.pdf', 'pdf/2305.03393v1-pg9.pdf', 'text/uspto_patent_pftaps057006474.txt', 'markdown/wiki.md']
const QUESTIONS = ['Who patented the typewriter, and in which year?', 'What replaced the typewriter in offices?', 'What does the patent claim?']

const quantile = (xs, q) => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}
const ms = (x) => (x === undefined ? '–' : x >= 10_000 ? `${(x / 1000).toFixed(1)}s` : `${Math.round(x)}`)
const p50p95 = (xs) => `${ms(quantile(xs, 0.5))} / ${ms(quantile(xs, 0.95))}`

async function api(token, method, pathname, body) {
  const init = { method, headers: { authorization: `Bearer ${token}` } }
  if (body instanceof FormData) init.body = body
  const res = await fetch(`${base}${pathname}`, init)
  const text = await res.text()
  if (res.status !== 200) throw new Error(`${method} ${pathname}: ${res.status} ${text}`)
  return JSON.parse(text)
}

async function uploadFixtures(token) {
  const form = new FormData()
  for (const f of FILES) form.append('file', new File([readFileSync(path.join(samples, f))], path.basename(f)))
  const files = await api(token, 'POST', '/files', form)
  for (const deadline = Date.now() + 180_000; ; ) {
    const { data } = await api(token, 'GET', '/files')
    if (data.some((f) => f.status === 'error')) throw new Error(`a fixture failed: ${JSON.stringify(data.filter((f) => f.status === 'error'))}`)
    if (data.filter((f) => f.status === 'processed').length === files.length) return files
    if (Date.now() > deadline) throw new Error('the fixtures were not processed within 180 s')
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** Reads an SSE body as it arrives, calling `onEvent` with each `data:` payload and its arrival time. */
async function readSse(body, onEvent) {
  const decoder = new TextDecoder()
  let buffered = ''
  let firstByte
  for await (const bytes of body) {
    firstByte ??= performance.now()
    buffered += decoder.decode(bytes, { stream: true })
    let end = buffered.indexOf('\n\n')
    while (end >= 0) {
      const data = buffered
        .slice(0, end)
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trim())
        .join('\n')
      buffered = buffered.slice(end + 2)
      if (data) onEvent(data, performance.now())
      end = buffered.indexOf('\n\n')
    }
  }
  return firstByte
}

/** One streamed `l0` run, timed from the moment the request is sent. */
async function timedRun(token, tag, question) {
  const started = performance.now()
  const res = await fetch(`${base}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'l0',
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: 'system', content: `bench-tag: ${tag}` },
        { role: 'user', content: question },
      ],
    }),
  })
  if (res.status !== 200) throw new Error(`run ${tag}: ${res.status} ${await res.text()}`)
  const at = {}
  let content = ''
  let annotations = 0
  let error = null
  const firstByte = await readSse(res.body, (data, now) => {
    if (data === '[DONE]') return (at.done = now)
    const chunk = JSON.parse(data)
    if (chunk.error) error = chunk.error
    const delta = chunk.choices?.[0]?.delta ?? {}
    if (delta.reasoning_content) at.reasoning ??= now
    if (delta.content) {
      at.content ??= now
      content += delta.content
    }
    if (delta.annotations) annotations = delta.annotations.length
  })
  const since = (t) => (t === undefined ? undefined : t - started)
  return { tag, firstByte: since(firstByte), reasoning: since(at.reasoning), content: since(at.content), total: since(at.done ?? performance.now()), answer: content, annotations, error }
}

/** The agent's calls, made directly: research with the tools, research with the tool's result, the answer. */
function directRequests(passage) {
  const tools = [{ type: 'function', function: { name: 'search', parameters: { type: 'object', properties: {} } } }]
  const system = { role: 'system', content: 'bench-tag: baseline' }
  return [
    { model: 'scripted', stream: true, stream_options: { include_usage: true }, tools, messages: [system, { role: 'user', content: `Question: ${QUESTIONS[0]}` }] },
    { model: 'scripted', stream: true, stream_options: { include_usage: true }, tools, messages: [system, { role: 'user', content: `Question: ${QUESTIONS[0]}` }, { role: 'tool', tool_call_id: 'call_1', content: passage }] },
    { model: 'scripted', stream: true, stream_options: { include_usage: true }, messages: [system, { role: 'user', content: `Passages:\n\n[1] (multi_page.pdf, page 1)\n${passage}\n\nQuestion: ${QUESTIONS[0]}` }] },
  ]
}

/** `calls` calls to the scripted model one after another, as one run makes them, timed like a run. */
async function timedDirect(modelUrl, calls) {
  const requests = directRequests('Patented in 1868 by Christopher Latham Sholes, the typewriter changed offices.')
  const started = performance.now()
  let firstByte
  for (let i = 0; i < calls; i++) {
    const body = requests[Math.min(i, requests.length - 1)]
    const res = await fetch(`${modelUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
    const first = await readSse(res.body, () => {})
    firstByte ??= first - started
  }
  return { firstByte, total: performance.now() - started }
}

async function measureLevel(token, model, level) {
  const waves = Math.max(1, Math.ceil(minSamples / level))
  const runs = []
  const direct = []
  for (let w = 0; w < waves; w++) {
    // Interleaved, so both see the same machine.
    const wave = await Promise.all(Array.from({ length: level }, (_, i) => timedRun(token, `run-${level}-${w}-${i}`, QUESTIONS[i % QUESTIONS.length])))
    runs.push(...wave)
    const log = await model.calls()
    for (const r of wave) r.calls = log[r.tag] ?? []
    const calls = Math.round(quantile(wave.map((r) => r.calls.length), 0.5))
    direct.push(...(await Promise.all(Array.from({ length: level }, () => timedDirect(model.url, calls)))))
  }
  for (const r of runs) {
    r.overheadPerRound = r.calls.length > 0 ? (r.total - latencyMs * r.calls.length) / r.calls.length : undefined
  }
  return { level, runs, direct }
}

function report(results, serverLog) {
  const rows = [['runs at once', 'runs', 'calls/run', 'first byte', 'first reasoning', 'first content', 'total', 'direct first byte', 'direct total', 'total ÷ direct', 'overhead/round', 'failed']]
  for (const { level, runs, direct } of results) {
    const ok = runs.filter((r) => !r.error && r.answer && r.annotations > 0)
    const calls = runs.map((r) => r.calls.length)
    rows.push([
      String(level),
      String(runs.length),
      `${Math.min(...calls)}–${Math.max(...calls)}`,
      p50p95(runs.map((r) => r.firstByte)),
      p50p95(runs.map((r) => r.reasoning).filter((x) => x !== undefined)),
      p50p95(runs.map((r) => r.content).filter((x) => x !== undefined)),
      p50p95(runs.map((r) => r.total)),
      p50p95(direct.map((d) => d.firstByte)),
      p50p95(direct.map((d) => d.total)),
      `${(quantile(runs.map((r) => r.total), 0.5) / quantile(direct.map((d) => d.total), 0.5)).toFixed(2)}×`,
      p50p95(runs.map((r) => r.overheadPerRound).filter((x) => x !== undefined)),
      String(runs.length - ok.length),
    ])
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
  console.log(`\nl0, streamed; the reasoning model answers every call in ${latencyMs} ms. Times in ms from sending the request, p50 / p95.`)
  for (const [i, row] of rows.entries()) {
    console.log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '))
    if (i === 0) console.log(widths.map((w) => '─'.repeat(w)).join('  '))
  }
  const modelMs = results.flatMap((r) => r.runs.flatMap((run) => run.calls.map((c) => c.ms)))
  console.log(`\nModel calls as the scripted server timed them: p50 ${ms(quantile(modelMs, 0.5))} ms, p95 ${ms(quantile(modelMs, 0.95))} ms.`)
  console.log('A round is one model call (a research step with its tool calls, or the answer); "direct" makes the same number of calls to the model, in sequence, without Cairn.')
  const verdicts = results.map(({ level, runs }) => {
    const p95 = quantile(runs.map((r) => r.firstByte), 0.95)
    return `${level} at once ${ms(p95)} ms (${p95 < FIRST_BYTE_GOAL_MS ? 'met' : 'NOT met'})`
  })
  console.log(`Goal: first streamed byte < ${FIRST_BYTE_GOAL_MS} ms. p95: ${verdicts.join('; ')}.`)
  const failed = results.flatMap((r) => r.runs).filter((r) => r.error || !r.answer || r.annotations === 0)
  for (const f of failed.slice(0, 5)) console.log(`failed run ${f.tag}: ${f.error ? JSON.stringify(f.error) : `answer ${JSON.stringify(f.answer.slice(0, 120))}, ${f.annotations} annotations`}`)
  console.log(`Cairn's log: ${serverLog}`)
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'cairn-bench-agent-'))
  const serverLog = path.join(work, 'server.log')
  const snap = snapshotTree(root, '/tmp/snap-agent')
  const model = await startScriptedModel({ latencyMs })
  // One `.dev.vars` configures both Workers (scripts/start.mjs links it for the ingest Worker).
  writeFileSync(path.join(snap.root, '.dev.vars'), `MODEL_PROVIDER=openai\nOPENAI_BASE_URL=${model.url}/v1\nREASONING_MODEL=scripted-reasoner\n`)
  console.log(`Serving a snapshot of ${snap.files} files from ${snap.root}; scripted model at ${model.url}, ${latencyMs} ms a call.`)
  const { child, token } = await startCairn({ root: snap.root, port, persistTo: path.join(work, 'state'), log: serverLog })
  try {
    const health = await (await fetch(`${base}/health`)).json()
    if (health.models.provider !== 'openai' || !health.models.roles.reasoning.configured) throw new Error(`the reasoning model is not configured: ${JSON.stringify(health.models)}`)
    await uploadFixtures(token)
    // A first run compiles and warms what the measured ones use.
    await timedRun(token, 'warm-up', QUESTIONS[0])
    const results = []
    for (const level of levels) results.push(await measureLevel(token, model, level))
    report(results, serverLog)
  } finally {
    stopCairn(child)
    model.close()
  }
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
