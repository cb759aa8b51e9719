/**
 * @module Running one ONNX text model in-process: a bi-encoder that turns texts into unit vectors
 * (pooled as its model card says) or a cross-encoder that scores (query, passage) pairs.
 * One session per model; calls run one batch at a time, so memory stays bounded under load.
 */
import { availableParallelism } from 'node:os'
import { readFileSync } from 'node:fs'
import ort from 'onnxruntime-node'
import { Tokenizer } from '@huggingface/tokenizers'

// One text per run by default: the int8 models quantise activations per tensor, so a text's vector
// would shift (cosine ~0.997) with whatever it is batched with; alone it is the same on every call.
// On two cores batching bought no measurable speed (texts are sorted by length, so padding was small).
const batchSize = () => Number(process.env.LOCAL_MODELS_BATCH) || 1

/**
 * Loads a model described by `resolveModel()` (fetch-weights.mjs).
 * @example const enc = await loadEncoder(model); const { vectors, tokens } = await enc.embed(['a text'])
 */
export async function loadEncoder(model, { threads = Number(process.env.LOCAL_MODELS_THREADS) || availableParallelism() } = {}) {
  const session = await ort.InferenceSession.create(model.modelPath, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' })
  const tokenizer = new Tokenizer(JSON.parse(readFileSync(model.tokenizerPath, 'utf8')), {})
  const wantsTypes = session.inputNames.includes('token_type_ids')
  let queue = Promise.resolve()
  // One batch in flight: a second request waits for the session instead of doubling the memory it holds.
  const serially = (work) => {
    const next = queue.then(work, work)
    queue = next.catch(() => {})
    return next
  }

  const encode = (text, pair) => {
    const e = pair === undefined ? tokenizer.encode(text, { return_token_type_ids: true }) : tokenizer.encode(text, { text_pair: pair, return_token_type_ids: true })
    return truncate(e, model.maxTokens)
  }

  async function run(encodings) {
    const width = Math.max(...encodings.map((e) => e.ids.length))
    const size = encodings.length * width
    const ids = new BigInt64Array(size)
    const mask = new BigInt64Array(size)
    const types = new BigInt64Array(size)
    encodings.forEach((e, row) => {
      for (let i = 0; i < e.ids.length; i++) {
        ids[row * width + i] = BigInt(e.ids[i])
        mask[row * width + i] = 1n
        types[row * width + i] = BigInt(e.token_type_ids?.[i] ?? 0)
      }
    })
    const dims = [encodings.length, width]
    const feeds = { input_ids: new ort.Tensor('int64', ids, dims), attention_mask: new ort.Tensor('int64', mask, dims) }
    if (wantsTypes) feeds.token_type_ids = new ort.Tensor('int64', types, dims)
    const out = await session.run(feeds)
    return { output: out[session.outputNames[0]], width }
  }

  /**
   * Runs `encodings` in batches of similar length (less padding), answering in the input order. A
   * request whose caller has gone (`signal` aborted: it timed out and will ask again) stops before its
   * next batch, so the retry does not queue behind work no one will read.
   */
  async function batched(encodings, perBatch, signal) {
    const order = encodings.map((e, i) => i).sort((a, b) => encodings[a].ids.length - encodings[b].ids.length)
    const results = new Array(encodings.length)
    for (let start = 0; start < order.length; start += batchSize()) {
      const rows = order.slice(start, start + batchSize())
      const batch = rows.map((i) => encodings[i])
      const values = await serially(async () => {
        signal?.throwIfAborted()
        return perBatch(batch, await run(batch))
      })
      rows.forEach((i, k) => (results[i] = values[k]))
    }
    return results
  }

  return {
    id: model.id,
    kind: model.kind,
    maxTokens: model.maxTokens,
    dimensions: model.kind === 'embedding' ? await probeDimensions() : undefined,
    /** Unit vectors for `texts`, and how many tokens they took after truncation. */
    async embed(texts, { signal } = {}) {
      const encodings = texts.map((t) => encode(t))
      const vectors = await batched(encodings, (batch, { output, width }) => batch.map((e, row) => pool(output, row, width, e.ids.length, model.pooling)), signal)
      return { vectors, tokens: encodings.reduce((n, e) => n + e.ids.length, 0) }
    },
    /** One relevance logit per passage for `query` (higher is more relevant). */
    async score(query, passages, { signal } = {}) {
      const encodings = passages.map((p) => encode(query, p))
      const scores = await batched(encodings, (batch, { output }) => {
        const perRow = output.data.length / batch.length
        return batch.map((e, row) => output.data[row * perRow])
      }, signal)
      return { scores, tokens: encodings.reduce((n, e) => n + e.ids.length, 0) }
    },
  }

  async function probeDimensions() {
    const { output } = await run([encode('dimensions')])
    return output.dims[output.dims.length - 1]
  }
}

/** Cuts an encoding to `max` tokens, keeping its closing special token (the last one). */
function truncate(e, max) {
  if (e.ids.length <= max) return e
  const cut = (xs) => xs && [...xs.slice(0, max - 1), xs[xs.length - 1]]
  return { ids: cut(e.ids), attention_mask: cut(e.attention_mask), token_type_ids: cut(e.token_type_ids) }
}

/** CLS or mean pooling over the row's real tokens (the padding is masked out), then L2 normalisation. */
function pool(output, row, width, length, pooling) {
  const hidden = output.dims[2]
  const data = output.data
  const base = row * width * hidden
  const v = new Float32Array(hidden)
  if (pooling === 'cls') v.set(data.subarray(base, base + hidden))
  else {
    for (let t = 0; t < length; t++) for (let d = 0; d < hidden; d++) v[d] += data[base + t * hidden + d]
    for (let d = 0; d < hidden; d++) v[d] /= length
  }
  let norm = 0
  for (let d = 0; d < hidden; d++) norm += v[d] * v[d]
  norm = Math.sqrt(norm) || 1
  for (let d = 0; d < hidden; d++) v[d] /= norm
  return v
}
