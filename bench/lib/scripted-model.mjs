/**
 * @module A scripted OpenAI-compatible reasoning model of fixed latency, for timing the `l0` agent
 * without a real model: every `/v1/chat/completions` call takes `latencyMs` (the first token at
 * half of it, the rest streamed evenly over the other half). It plays the agent's three calls: the
 * first research step calls `search`, the next one (which sees the tool's result) says the passages
 * suffice, and the answer repeats the first sentence of each of the first two passages of its
 * prompt, citing them as [1] and [2], so the citation checker keeps them. Each call is logged under
 * the tag in the caller's system message (`bench-tag: …`), so a benchmark can count a run's calls.
 * Run alone: `node bench/lib/scripted-model.mjs 200` prints the URL it listens on.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { fileURLToPath } from 'node:url'

const TAG = /bench-tag: ([\w-]+)/
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

const textOf = (content) => (typeof content === 'string' ? content : Array.isArray(content) ? content.filter((p) => p.type === 'text').map((p) => p.text).join('\n') : '')

/** What the model says: a tool call, a short research note, or the answer. */
export function scriptedTurn(request) {
  const messages = request.messages ?? []
  const prompt = textOf(messages.findLast((m) => m.role === 'user')?.content)
  if (Array.isArray(request.tools) && request.tools.length > 0) {
    if (!messages.some((m) => m.role === 'tool')) {
      const question = /Question: (.*)/.exec(prompt)?.[1] ?? prompt.slice(0, 200)
      return { toolCalls: [{ name: 'search', arguments: { queries: [question] } }] }
    }
    return { content: 'The passages found so far answer the question.' }
  }
  const claims = [1, 2].map((n) => firstSentence(passageOf(prompt, n))).filter(Boolean)
  return { content: claims.length > 0 ? claims.map((claim, i) => `${claim} [${i + 1}].`).join(' ') : 'The passages do not say.' }
}

/** The text of passage `[n]` in an answer prompt ("[n] (place)\ntext"). */
function passageOf(prompt, n) {
  const start = prompt.indexOf(`\n[${n}] (`)
  if (start < 0) return ''
  const body = prompt.slice(prompt.indexOf('\n', start + 1) + 1)
  const end = body.search(/\n\n\[\d+\] \(|\n\nResearch notes:|\n\nQuestion: /)
  return end < 0 ? body : body.slice(0, end)
}

/** The passage's first sentence (its words, so the citation checker finds them), without its full stop. */
function firstSentence(passage) {
  const flat = passage.replace(/\s+/g, ' ').trim()
  const sentence = flat.match(/^.{20,240}?[.!?](?=\s|$)/)?.[0] ?? flat.slice(0, 200)
  return sentence.replace(/[.!?]+$/, '').trim()
}

function events(model, turn, includeUsage) {
  const base = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model }
  const chunk = (delta, finish = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })
  const out = [chunk({ role: 'assistant', content: '' })]
  for (const piece of turn.content?.match(/[\s\S]{1,12}/g) ?? []) out.push(chunk({ content: piece }))
  ;(turn.toolCalls ?? []).forEach((call, index) => {
    const args = JSON.stringify(call.arguments)
    out.push(chunk({ tool_calls: [{ index, id: `call_${index + 1}`, type: 'function', function: { name: call.name, arguments: args } }] }))
  })
  out.push(chunk({}, turn.toolCalls ? 'tool_calls' : 'stop'))
  if (includeUsage) out.push({ ...base, choices: [], usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } })
  return out
}

/** Serves the scripted model on 127.0.0.1; `GET /__calls` answers with every call logged, by tag. */
export async function serveScriptedModel({ latencyMs }) {
  const log = {}
  const server = createServer(async (req, res) => {
    const started = performance.now()
    let raw = ''
    for await (const part of req) raw += part
    if (req.method === 'GET' && req.url === '/__calls') {
      res.writeHead(200, { 'content-type': 'application/json' })
      return res.end(JSON.stringify(log))
    }
    if (req.method !== 'POST' || !req.url.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' })
      return res.end(JSON.stringify({ error: { message: `no route ${req.method} ${req.url}`, type: 'invalid_request_error' } }))
    }
    const request = JSON.parse(raw)
    const system = (request.messages ?? []).filter((m) => m.role === 'system').map((m) => textOf(m.content)).join('\n')
    const tag = TAG.exec(system)?.[1] ?? 'untagged'
    const turn = scriptedTurn(request)
    const kind = turn.toolCalls ? 'research (tool call)' : request.tools ? 'research (done)' : 'answer'
    const record = () => (log[tag] ??= []).push({ kind, startedAt: Date.now() - (performance.now() - started), ms: performance.now() - started })
    if (!request.stream) {
      await sleep(latencyMs)
      const message = { role: 'assistant', content: turn.content ?? null }
      if (turn.toolCalls) message.tool_calls = turn.toolCalls.map((c, i) => ({ id: `call_${i + 1}`, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.arguments) } }))
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ id: 'chatcmpl-scripted', object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: request.model, choices: [{ index: 0, message, finish_reason: turn.toolCalls ? 'tool_calls' : 'stop' }], usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } }))
      return record()
    }
    const out = events(request.model, turn, request.stream_options?.include_usage)
    const firstAt = started + latencyMs / 2
    const gap = latencyMs / 2 / out.length
    await sleep(firstAt - performance.now())
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
    for (const [i, event] of out.entries()) {
      res.write(`data: ${JSON.stringify(event)}\n\n`)
      const wait = firstAt + gap * (i + 1) - performance.now()
      if (wait > 0) await sleep(wait)
    }
    res.end('data: [DONE]\n\n')
    record()
  })
  server.keepAliveTimeout = 30_000
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${server.address().port}`, server }
}

/**
 * The scripted model in a process of its own, so the benchmark's client work never delays it.
 * @example
 * const model = await startScriptedModel({ latencyMs: 200 })
 * // OPENAI_BASE_URL = `${model.url}/v1`; (await model.calls())['run-1'] → [{ kind, startedAt, ms }]
 */
export function startScriptedModel({ latencyMs }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), String(latencyMs)], { stdio: ['ignore', 'pipe', 'inherit'] })
    let output = ''
    child.stdout.on('data', (d) => {
      output += d
      const url = /listening on (\S+)/.exec(output)?.[1]
      if (!url) return
      resolve({
        url,
        /** Every call so far, by tag, each list in the order the calls ended. */
        calls: async () => (await fetch(`${url}/__calls`)).json(),
        close: () => child.kill('SIGTERM'),
      })
    })
    child.on('exit', (code) => reject(new Error(`the scripted model exited (${code}): ${output}`)))
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await serveScriptedModel({ latencyMs: Number(process.argv[2] ?? 200) })
  console.log(`listening on ${url}`)
}
