/**
 * The local model server as Cairn's adapters call it: OpenAI's shapes with real vectors, errors in
 * OpenAI's envelope, rerank when a cross-encoder is served; and the loaders for a hub repository and
 * a folder, against a hub stand-in on 127.0.0.1.
 */
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { resolveModel, type ResolvedModel } from '../../local-models/fetch-weights.mjs'

const root = path.resolve(import.meta.dirname, '../..')
const url = inject('localModelsUrl')
const skip = url === ''

type Embeddings = { object: string; data: { object: string; index: number; embedding: number[] | string }[]; model: string; usage: { prompt_tokens: number; total_tokens: number } }
type ErrorBody = { error: { message: string; type: string; param: string | null; code: string | null } }

async function post(route: string, body: unknown) {
  const res = await fetch(`${url}/v1/${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as any }
}
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0)

describe.skipIf(skip)('local model server', () => {
  let served: { model: string; dimensions: number }
  let rerank: { model: string } | null

  beforeAll(async () => {
    const health = (await (await fetch(`${url}/health`)).json()) as any
    expect(health.status).toBe('ok')
    served = health.embedding
    rerank = health.rerank
  })

  it('lists its models in OpenAI’s shape', async () => {
    const list = (await (await fetch(`${url}/v1/models`)).json()) as any
    expect(list.object).toBe('list')
    expect(list.data[0]).toMatchObject({ id: served.model, object: 'model', owned_by: 'local' })
  })

  it('embeds a batch into unit vectors where a paraphrase lies closer than an unrelated sentence', async () => {
    const input = ['The cash flow statement lists purchases of property, plant and equipment.', 'Capital expenditure appears among the investing cash flows.', 'The cat slept all afternoon on a warm windowsill.']
    const { status, body } = await post('embeddings', { model: served.model, input })
    expect(status).toBe(200)
    const res = body as Embeddings
    expect(res).toMatchObject({ object: 'list', model: served.model })
    expect(res.data.map((d) => [d.object, d.index])).toEqual([['embedding', 0], ['embedding', 1], ['embedding', 2]])
    expect(res.usage.prompt_tokens).toBeGreaterThan(20)
    expect(res.usage.total_tokens).toBe(res.usage.prompt_tokens)
    const [a, b, c] = res.data.map((d) => d.embedding as number[]) as [number[], number[], number[]]
    expect(a).toHaveLength(served.dimensions)
    expect(dot(a, a)).toBeCloseTo(1, 4)
    expect(dot(a, b)).toBeGreaterThan(dot(a, c) + 0.1)
  })

  it('answers one string, and base64 when asked, with the same vector as in a batch', async () => {
    const text = 'Quarterly revenue grew five percent.'
    const single = (await post('embeddings', { input: text })).body as Embeddings
    const batch = (await post('embeddings', { input: ['Something else entirely.', text] })).body as Embeddings
    const packed = (await post('embeddings', { input: text, encoding_format: 'base64' })).body as Embeddings
    const decoded = Array.from(new Float32Array(new Uint8Array(Buffer.from(packed.data[0]!.embedding as string, 'base64')).buffer))
    const vector = single.data[0]!.embedding as number[]
    expect(dot(vector, batch.data[1]!.embedding as number[])).toBeCloseTo(1, 4)
    expect(dot(vector, decoded)).toBeCloseTo(1, 4)
  })

  it('truncates a text longer than the model takes instead of failing', async () => {
    const { status, body } = await post('embeddings', { input: 'word '.repeat(3000) })
    expect(status).toBe(200)
    expect((body as Embeddings).usage.prompt_tokens).toBeLessThanOrEqual(512)
  })

  it.each([
    ['no input', { model: undefined }, 'input'],
    ['an empty list', { input: [] }, 'input'],
    ['token ids', { input: [[1, 2, 3]] }, 'input'],
    ['an empty string', { input: ['fine', ''] }, 'input'],
    ['an unknown encoding', { input: 'x', encoding_format: 'int8' }, 'encoding_format'],
  ])('refuses %s with 400 in OpenAI’s error shape', async (_name, body, param) => {
    const res = await post('embeddings', body)
    expect(res.status).toBe(400)
    expect(res.body as ErrorBody).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param, code: null } })
  })

  it('refuses a body that is not JSON, and names the model it serves when asked for another', async () => {
    expect((await post('embeddings', '{"input": ')).status).toBe(400)
    const wrong = await post('embeddings', { model: 'text-embedding-3-large', input: 'x' })
    expect(wrong.status).toBe(404)
    expect((wrong.body as ErrorBody).error).toMatchObject({ code: 'model_not_found', param: 'model' })
    expect((wrong.body as ErrorBody).error.message).toContain(served.model)
  })

  it('reads the words in a picture (Tesseract) as a chat completion, cut at max_tokens', async () => {
    const png = await readFile(path.join(root, '../shared/fixtures/samples/image/testocr.png'))
    const expected = (await readFile(path.join(root, '../shared/fixtures/samples/image/testocr.expected.txt'), 'utf8')).split(/\s+/).filter(Boolean)
    const image = { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } }
    const { status, body } = await post('chat/completions', { model: 'tesseract-eng', messages: [{ role: 'user', content: [{ type: 'text', text: 'Read this page.' }, image] }] })
    expect(status).toBe(200)
    expect(body).toMatchObject({ object: 'chat.completion', model: 'tesseract-eng', choices: [{ index: 0, message: { role: 'assistant' }, finish_reason: 'stop' }] })
    const words = (body.choices[0].message.content as string).split(/\s+/).filter(Boolean)
    // The engine's own expected text, word for word, but for a slip or two.
    const found = expected.filter((w) => words.includes(w)).length
    expect(found / expected.length).toBeGreaterThan(0.95)
    expect(body.usage).toEqual({ prompt_tokens: 0, completion_tokens: words.length, total_tokens: words.length })

    const cut = await post('chat/completions', { messages: [{ role: 'user', content: [image] }], max_tokens: 5 })
    expect(cut.body.choices[0]).toMatchObject({ message: { content: 'This is a lot of' }, finish_reason: 'length' })
  })

  it('reads nothing into a photograph: specks taken for letters are left out', async () => {
    const jpg = await readFile(path.join(root, '../shared/fixtures/samples/image/photo_hopper.jpg'))
    const { status, body } = await post('chat/completions', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpg.toString('base64')}` } }] }] })
    expect(status).toBe(200)
    expect(body.choices[0].message.content).toBe('')
  })

  it('refuses a chat request without a picture, a picture by URL, and streaming, each with a sentence', async () => {
    const text = await post('chat/completions', { messages: [{ role: 'user', content: 'What is in this picture?' }] })
    expect(text.status).toBe(400)
    expect((text.body as ErrorBody).error.message).toBe('This model reads the text in images: send at least one image (an image_url part with a data: URL).')
    const remote = await post('chat/completions', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] })
    expect(remote.status).toBe(400)
    expect((remote.body as ErrorBody).error.message).toContain('this server fetches nothing')
    const stream = await post('chat/completions', { stream: true, messages: [{ role: 'user', content: 'x' }] })
    expect((stream.body as ErrorBody).error).toMatchObject({ param: 'stream' })
    const health = (await (await fetch(`${url}/health`)).json()) as any
    expect(health.vision).toEqual({ model: 'tesseract-eng', reads: 'text' })
  })

  it('reranks with its cross-encoder, the relevant passage first, or says it has none', async () => {
    const body = {
      query: 'How much did 3M spend on capital expenditure in 2018?',
      documents: ['The weather in Minnesota was cold in January.', 'Purchases of property, plant and equipment (PP&E) were $1,577 million in 2018.', 'The board declared a quarterly dividend.'],
    }
    const res = await post('rerank', body)
    if (rerank) {
      expect(res.status).toBe(200)
      expect(res.body.results[0].index).toBe(1)
      expect(res.body.results).toHaveLength(3)
    } else {
      expect(res.status).toBe(404)
      expect((res.body as ErrorBody).error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found' })
    }
  })
})

describe.skipIf(skip)('model loaders', () => {
  let hub: Server
  let endpoint: string
  let served: string
  const requests: string[] = []
  const scratch = mkdtempSync(path.join(tmpdir(), 'cairn-models-'))
  let reference: ResolvedModel

  beforeAll(async () => {
    reference = await resolveModel('bge-small-en-v1.5')
    // A hub repository laid out as sentence-transformers exports are: ONNX under onnx/, pooling config beside.
    served = path.join(scratch, 'hub', 'acme', 'small-embedder', 'resolve', 'main')
    mkdirSync(path.join(served, 'onnx'), { recursive: true })
    mkdirSync(path.join(served, '1_Pooling'), { recursive: true })
    copyFileSync(reference.modelPath, path.join(served, 'onnx', 'model.onnx'))
    copyFileSync(reference.tokenizerPath, path.join(served, 'tokenizer.json'))
    writeFileSync(path.join(served, '1_Pooling', 'config.json'), JSON.stringify({ pooling_mode_cls_token: true, pooling_mode_mean_tokens: false }))
    writeFileSync(path.join(served, 'sentence_bert_config.json'), JSON.stringify({ max_seq_length: 384 }))
    hub = createServer(async (req, res) => {
      requests.push(req.url!)
      try {
        res.end(await readFile(path.join(scratch, 'hub', decodeURIComponent(req.url!))))
      } catch {
        res.writeHead(404).end('Entry not found')
      }
    })
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', r))
    endpoint = `http://127.0.0.1:${(hub.address() as { port: number }).port}`
  })

  afterAll(() => {
    hub?.close()
    rmSync(scratch, { recursive: true, force: true })
  })

  it('fetches a hub repository once, with the pooling and token limit its configs give', async () => {
    const modelsDir = path.join(scratch, 'cache')
    const env = { HF_ENDPOINT: endpoint }
    const model = await resolveModel('hf:acme/small-embedder', { modelsDir, env })
    expect(model).toMatchObject({ id: 'small-embedder', kind: 'embedding', pooling: 'cls', maxTokens: 384, source: `${endpoint}/acme/small-embedder` })
    expect(model.bytes).toBe(reference.bytes)
    expect(requests).toContain('/acme/small-embedder/resolve/main/onnx/model.onnx')
    const seen = requests.length
    await resolveModel('hf:acme/small-embedder', { modelsDir, env })
    expect(requests).toHaveLength(seen)
  })

  it('says what a hub repository lacks, and leaves no half-fetched model behind', async () => {
    const modelsDir = path.join(scratch, 'cache-missing')
    await expect(resolveModel('hf:acme/nothing-here', { modelsDir, env: { HF_ENDPOINT: endpoint } })).rejects.toThrow(/neither onnx\/model.onnx nor model.onnx/)
    await expect(resolveModel('hf:acme/nothing-here', { modelsDir, env: { HF_ENDPOINT: endpoint } })).rejects.toThrow()
  })

  it('uses a folder in place, and refuses one without a model', async () => {
    const model = await resolveModel(served)
    expect(model).toMatchObject({ id: 'main', pooling: 'cls', maxTokens: 384, modelPath: path.join(served, 'onnx', 'model.onnx') })
    await expect(resolveModel(scratch)).rejects.toThrow(/must hold model.onnx/)
    await expect(resolveModel('no-such-model')).rejects.toThrow(/unknown model "no-such-model"/)
  })

  it('serves a model fetched from the hub, with the vectors of the same weights', async () => {
    const env = { ...process.env, HF_ENDPOINT: endpoint, CAIRN_MODELS_DIR: path.join(scratch, 'cache-serve'), LOCAL_MODELS_THREADS: '1' }
    const child = spawn(process.execPath, ['local-models/serve.mjs', '--port', '0', '--embedding', 'hf:acme/small-embedder'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] })
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let output = ''
        child.stdout.on('data', (d) => {
          output += d
          const ready = /ready at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
          if (ready) resolve(ready[1]!)
        })
        child.stderr.on('data', (d) => (output += d))
        child.on('exit', () => reject(new Error(output)))
      })
      const text = 'Consolidated Statement of Cash Flows'
      const fromHub = (await (await fetch(`${base}/v1/embeddings`, { method: 'POST', body: JSON.stringify({ input: text }) })).json()) as any
      expect(fromHub.model).toBe('small-embedder')
      const fromDefault = (await post('embeddings', { input: text })).body as Embeddings
      expect(dot(fromHub.data[0].embedding, fromDefault.data[0]!.embedding as number[])).toBeCloseTo(1, 4)
    } finally {
      child.kill('SIGTERM')
    }
  })
})
