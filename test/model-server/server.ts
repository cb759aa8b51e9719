/**
 * @module A scripted OpenAI-compatible model server for tests, on 127.0.0.1 (Node `http`):
 * `/v1/chat/completions` (streaming and not, tool calls), `/v1/embeddings`, `/v1/audio/transcriptions`
 * and `/v1/rerank`. Without a script each answers deterministically (embeddings: a bag of words,
 * hashed); a test scripts the next answers for a model name (errors, delays, tool calls) with
 * `POST /__script` and reads what the server received with `GET /__log?model=…`. Tests use a model
 * name of their own, so tests running at once never share a script.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { bagOfWords, EMBEDDING_DIMENSIONS } from './bag-of-words'

/** One scripted answer; what is absent takes the default for the endpoint. */
export type Scripted = {
  status?: number
  headers?: Record<string, string>
  /** Wait this long before answering (for timeouts). */
  delayMs?: number
  /** Sent as is, as JSON (for error bodies or odd answers). */
  body?: unknown
  content?: string
  reasoning?: string
  toolCalls?: Array<{ name: string; arguments: unknown }>
  usage?: { prompt: number; completion: number }
}

export type Received = { path: string; body: unknown; authorization: string | null }

export type ModelServer = { url: string; close(): Promise<void> }

export async function startModelServer(): Promise<ModelServer> {
  const scripts = new Map<string, Scripted[]>()
  const log = new Map<string, Received[]>()

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: { message: String(err) } }))
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const raw = await readBody(req)
    if (url.pathname === '/__script') {
      const { model, responses } = JSON.parse(raw.toString('utf8')) as { model: string; responses: Scripted[] }
      scripts.set(model, [...(scripts.get(model) ?? []), ...responses])
      return json(res, 200, { ok: true })
    }
    if (url.pathname === '/__log') return json(res, 200, log.get(url.searchParams.get('model') ?? '') ?? [])

    const { model, body } = await parseRequest(req, url, raw)
    log.set(model, [...(log.get(model) ?? []), { path: url.pathname, body, authorization: req.headers.authorization ?? null }])
    const script = scripts.get(model)?.shift() ?? {}
    if (script.delayMs) await new Promise((r) => setTimeout(r, script.delayMs))
    if (res.destroyed) return
    const status = script.status ?? 200
    if (script.body !== undefined || status >= 400) {
      return json(res, status, script.body ?? { error: { message: `scripted ${status}`, type: 'server_error' } }, script.headers)
    }
    const request = body as Record<string, any>
    switch (url.pathname) {
      case '/v1/embeddings':
        return json(res, 200, embeddings(model, request))
      case '/v1/chat/completions':
        return request.stream ? streamChat(res, model, request, script) : json(res, 200, chat(model, request, script))
      case '/v1/audio/transcriptions': {
        const text = `heard ${(request.fileBytes as number) ?? 0} bytes`
        return json(res, 200, { text, language: request.language ?? 'en', duration: 2.5, segments: [{ start: 0, end: 2.5, text }] })
      }
      case '/v1/rerank':
        return json(res, 200, rerank(request))
      default:
        return json(res, 404, { error: { message: `no route ${url.pathname}` } })
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => resolve(Buffer.concat(parts)))
    req.on('error', reject)
  })
}

/** JSON bodies as they are; multipart (transcriptions) as its fields, with the file's size. */
async function parseRequest(req: IncomingMessage, url: URL, raw: Buffer): Promise<{ model: string; body: unknown }> {
  const type = req.headers['content-type'] ?? ''
  if (type.startsWith('multipart/form-data')) {
    const form = await new Request(url, { method: 'POST', headers: { 'content-type': type }, body: raw }).formData()
    const file = form.get('file')
    const fields = Object.fromEntries([...form.entries()].filter(([k]) => k !== 'file').map(([k, v]) => [k, String(v)]))
    const body = { ...fields, fileBytes: file instanceof Blob ? file.size : 0, fileType: file instanceof Blob ? file.type : null }
    return { model: fields.model ?? '', body }
  }
  const body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : {}
  return { model: typeof body.model === 'string' ? body.model : '', body }
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(JSON.stringify(body))
}

function embeddings(model: string, request: Record<string, any>) {
  const inputs: string[] = Array.isArray(request.input) ? request.input : [request.input]
  const dimensions = typeof request.dimensions === 'number' ? request.dimensions : EMBEDDING_DIMENSIONS
  const tokens = inputs.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0)
  return {
    object: 'list',
    model,
    data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: bagOfWords(text, dimensions) })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  }
}

function lastUserText(request: Record<string, any>): string {
  const user = [...(request.messages ?? [])].reverse().find((m: any) => m.role === 'user')
  if (!user) return ''
  return typeof user.content === 'string' ? user.content : (user.content ?? []).filter((p: any) => p.type === 'text').map((p: any) => p.text).join(' ')
}

function answer(request: Record<string, any>, script: Scripted) {
  const content = script.content ?? (script.toolCalls ? null : `Echo: ${lastUserText(request)}`)
  const toolCalls = (script.toolCalls ?? []).map((call, i) => ({
    id: `call_${i + 1}`,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }))
  const usage = script.usage ?? { prompt: 11, completion: 7 }
  return {
    content,
    toolCalls,
    finish: toolCalls.length > 0 ? 'tool_calls' : 'stop',
    usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
  }
}

function chat(model: string, request: Record<string, any>, script: Scripted) {
  const a = answer(request, script)
  return {
    id: 'chatcmpl-scripted',
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: a.content,
          ...(script.reasoning ? { reasoning_content: script.reasoning } : {}),
          ...(a.toolCalls.length > 0 ? { tool_calls: a.toolCalls } : {}),
        },
        finish_reason: a.finish,
      },
    ],
    usage: a.usage,
  }
}

function streamChat(res: ServerResponse, model: string, request: Record<string, any>, script: Scripted): void {
  const a = answer(request, script)
  const base = { id: 'chatcmpl-scripted', object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model }
  const chunk = (delta: unknown, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }] })
  const events: unknown[] = [chunk({ role: 'assistant', content: '' })]
  if (script.reasoning) events.push(chunk({ reasoning_content: script.reasoning }))
  // Content in pieces of a few characters, as a model streams it.
  for (const piece of a.content?.match(/[\s\S]{1,6}/g) ?? []) events.push(chunk({ content: piece }))
  a.toolCalls.forEach((call, index) => {
    const args = call.function.arguments
    const half = Math.ceil(args.length / 2)
    events.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: args.slice(0, half) } }] }))
    events.push(chunk({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] }))
  })
  events.push(chunk({}, a.finish))
  if (request.stream_options?.include_usage) events.push({ ...base, choices: [], usage: a.usage })
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`)
  res.end('data: [DONE]\n\n')
}

function rerank(request: Record<string, any>) {
  const query = new Set<string>(String(request.query ?? '').toLowerCase().match(/\p{L}{3,}/gu) ?? [])
  const documents: string[] = request.documents ?? []
  const results = documents
    .map((text, index) => {
      const words = text.toLowerCase().match(/\p{L}{3,}/gu) ?? []
      const overlap = words.filter((w) => query.has(w)).length
      return { index, relevance_score: overlap / (words.length + 1) }
    })
    .sort((x, y) => y.relevance_score - x.relevance_score)
  return { results: typeof request.top_n === 'number' ? results.slice(0, request.top_n) : results }
}
