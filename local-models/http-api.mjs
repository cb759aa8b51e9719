/**
 * @module The local model server's HTTP surface, OpenAI-compatible: `/v1/embeddings`, `/v1/models`,
 * a Cohere/Jina-style `/v1/rerank`, `/v1/chat/completions` for the text in images (OCR), and
 * `/health`. Errors use OpenAI's envelope `{ error: { message, type, param, code } }`.
 */
import { randomUUID } from 'node:crypto'

const MAX_BODY_BYTES = 16 * 1024 * 1024
const MAX_INPUTS = 2048
const MAX_DOCUMENTS = 1000
const MAX_IMAGES = 8

class RequestError extends Error {
  constructor(status, message, { param = null, code = null, type = 'invalid_request_error' } = {}) {
    super(message)
    Object.assign(this, { status, param, code, type })
  }
}

/**
 * A Node `http` request handler over loaded encoders (encoder.mjs) and the OCR engine (ocr.mjs);
 * `rerank` and `ocr` may be null.
 * @example http.createServer(modelApi({ embedding, rerank: null, ocr: null })).listen(0, '127.0.0.1')
 */
export function modelApi({ embedding, rerank, ocr = null }) {
  const created = Math.floor(Date.now() / 1000)
  const routes = {
    'GET /health': () => ({
      status: 'ok',
      embedding: { model: embedding.id, dimensions: embedding.dimensions },
      rerank: rerank ? { model: rerank.id } : null,
      vision: ocr ? { model: ocr.id, reads: 'text' } : null,
    }),
    'GET /v1/models': () => ({
      object: 'list',
      data: [embedding, rerank, ocr].filter(Boolean).map((m) => ({ id: m.id, object: 'model', created, owned_by: 'local' })),
    }),
    'POST /v1/embeddings': async (body, signal) => {
      checkModel(body, embedding)
      const input = typeof body.input === 'string' ? [body.input] : body.input
      if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === 'string'))
        throw new RequestError(400, "'input' must be a non-empty string or a non-empty array of strings.", { param: 'input' })
      if (input.length > MAX_INPUTS) throw new RequestError(400, `'input' holds ${input.length} texts; at most ${MAX_INPUTS} per request.`, { param: 'input' })
      const empty = input.findIndex((t) => t.length === 0)
      if (empty >= 0) throw new RequestError(400, `'input[${empty}]' is an empty string; every text must have at least one character.`, { param: 'input' })
      const format = body.encoding_format ?? 'float'
      if (format !== 'float' && format !== 'base64') throw new RequestError(400, "'encoding_format' must be 'float' or 'base64'.", { param: 'encoding_format' })
      const { vectors, tokens } = await embedding.embed(input, { signal })
      return {
        object: 'list',
        data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: format === 'base64' ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v) })),
        model: embedding.id,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      }
    },
    'POST /v1/rerank': async (body, signal) => {
      if (!rerank) throw new RequestError(404, 'This server has no reranking model; start it with a cross-encoder (LOCAL_RERANK_MODEL) to use /v1/rerank.', { code: 'model_not_found' })
      checkModel(body, rerank)
      if (typeof body.query !== 'string' || body.query.length === 0) throw new RequestError(400, "'query' must be a non-empty string.", { param: 'query' })
      const docs = body.documents?.map?.((d) => (typeof d === 'string' ? d : d?.text))
      if (!Array.isArray(docs) || docs.length === 0 || !docs.every((d) => typeof d === 'string'))
        throw new RequestError(400, "'documents' must be a non-empty array of strings.", { param: 'documents' })
      if (docs.length > MAX_DOCUMENTS) throw new RequestError(400, `'documents' holds ${docs.length} passages; at most ${MAX_DOCUMENTS} per request.`, { param: 'documents' })
      const topN = body.top_n ?? docs.length
      if (!Number.isInteger(topN) || topN < 1) throw new RequestError(400, "'top_n' must be a positive integer.", { param: 'top_n' })
      const { scores, tokens } = await rerank.score(body.query, docs, { signal })
      const results = scores
        .map((logit, index) => ({ index, relevance_score: 1 / (1 + Math.exp(-logit)) }))
        .sort((a, b) => b.relevance_score - a.relevance_score)
        .slice(0, topN)
      return { object: 'list', results, model: rerank.id, usage: { prompt_tokens: tokens, total_tokens: tokens } }
    },
    'POST /v1/chat/completions': async (body, signal) => {
      if (!ocr) throw new RequestError(404, 'This server has no vision model; it reads images only when started with OCR (the default).', { code: 'model_not_found' })
      checkModel(body, ocr)
      if (body.stream === true) throw new RequestError(400, "This server does not stream; send 'stream': false.", { param: 'stream' })
      const images = imagesIn(body.messages)
      if (images.length > MAX_IMAGES) throw new RequestError(400, `The messages hold ${images.length} images; at most ${MAX_IMAGES} per request.`, { param: 'messages' })
      const maxTokens = body.max_completion_tokens ?? body.max_tokens
      if (maxTokens !== undefined && maxTokens !== null && (!Number.isInteger(maxTokens) || maxTokens < 1))
        throw new RequestError(400, "'max_tokens' must be a positive integer.", { param: 'max_tokens' })
      const texts = []
      let tokens = 0
      for (const image of images) {
        const read = await ocr.read(image, { signal })
        if (read.text) texts.push(read.text)
        tokens += read.tokens
      }
      let content = texts.join('\n\n')
      let finish = 'stop'
      // Words stand for tokens here: a cut answer ends on a whole word, as a model's would.
      if (maxTokens && tokens > maxTokens) {
        content = cutAfterWords(content, maxTokens)
        tokens = maxTokens
        finish = 'length'
      }
      return {
        id: `chatcmpl-${randomUUID()}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: ocr.id,
        choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
        usage: { prompt_tokens: 0, completion_tokens: tokens, total_tokens: tokens },
      }
    },
  }

  return async (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname.replace(/\/+$/, '') || '/'
    const route = routes[`${req.method} ${pathname}`]
    // The caller hung up before the answer (its deadline passed): stop computing it.
    const gone = new AbortController()
    res.on('close', () => res.writableFinished || gone.abort(new Error('the client closed the connection')))
    try {
      if (!route) {
        const known = Object.keys(routes).some((k) => k.endsWith(` ${pathname}`))
        throw known
          ? new RequestError(405, `${req.method} is not allowed on ${pathname}.`, { code: 'method_not_allowed' })
          : new RequestError(404, `No route ${req.method} ${pathname}; this server answers /health, /v1/models, /v1/embeddings, /v1/rerank and /v1/chat/completions.`, { code: 'not_found' })
      }
      const body = req.method === 'POST' ? await readJson(req) : undefined
      send(res, 200, await route(body, gone.signal))
    } catch (err) {
      if (gone.signal.aborted) return
      if (err instanceof RequestError) send(res, err.status, { error: { message: err.message, type: err.type, param: err.param, code: err.code } })
      else send(res, 500, { error: { message: `The model failed: ${err.message}`, type: 'server_error', param: null, code: null } })
    }
  }
}

/**
 * The pictures a chat request carries, decoded: OpenAI's `image_url` parts with `data:` URLs (the
 * server fetches nothing). A request without one is refused: this model only reads images.
 */
function imagesIn(messages) {
  if (!Array.isArray(messages) || messages.length === 0) throw new RequestError(400, "'messages' must be a non-empty array.", { param: 'messages' })
  const images = []
  for (const [m, message] of messages.entries()) {
    if (!Array.isArray(message?.content)) continue
    for (const [p, part] of message.content.entries()) {
      if (part?.type !== 'image_url') continue
      const url = typeof part.image_url === 'string' ? part.image_url : part.image_url?.url
      const match = typeof url === 'string' ? /^data:image\/(png|jpeg|jpg|webp|bmp|gif);base64,(.*)$/s.exec(url) : null
      if (!match) throw new RequestError(400, `'messages[${m}].content[${p}]' must be a PNG, JPEG, WebP, BMP or GIF image as a base64 data: URL; this server fetches nothing.`, { param: 'messages' })
      images.push(Buffer.from(match[2], 'base64'))
    }
  }
  if (images.length === 0) throw new RequestError(400, 'This model reads the text in images: send at least one image (an image_url part with a data: URL).', { param: 'messages' })
  return images
}

/** The text up to its `words`-th word, its line breaks kept. */
function cutAfterWords(text, words) {
  const re = /\S+/g
  let end = 0
  for (let i = 0; i < words; i++) {
    const m = re.exec(text)
    if (!m) break
    end = m.index + m[0].length
  }
  return text.slice(0, end)
}

function checkModel(body, served) {
  if (body.model !== undefined && body.model !== served.id)
    throw new RequestError(404, `The model '${body.model}' is not served here; this server runs '${served.id}'.`, { param: 'model', code: 'model_not_found' })
}

async function readJson(req) {
  const chunks = []
  let size = 0
  for await (const chunk of req) {
    size += chunk.length
    if (size > MAX_BODY_BYTES) throw new RequestError(413, `The request body is over ${MAX_BODY_BYTES / 1024 / 1024} MB; send fewer texts per request.`)
    chunks.push(chunk)
  }
  let body
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch {
    throw new RequestError(400, 'The request body must be JSON.')
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new RequestError(400, 'The request body must be a JSON object.')
  return body
}

function send(res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}
