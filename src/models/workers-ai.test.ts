import { generateText, streamText } from 'ai'
import { describe, expect, it } from 'vitest'
import type { Config } from '../config'
import { WORKERS_AI_DEFAULTS } from '../config'
import { resolvePolicies } from './retry'
import { UsageMeter } from './usage'
import { workersAiModels } from './workers-ai'

type Run = { model: string; inputs: Record<string, unknown> }

/**
 * A stand-in for the `AI` binding (remote-only, absent in tests), answering in the shapes the Workers
 * AI models document: embeddings `{ shape, data }`, chat `{ response, usage }` or an SSE stream,
 * Whisper `{ text, segments, transcription_info }`, the reranker `{ response: [{ id, score }] }`.
 * `failures` are thrown, first to last, before answering.
 */
function fakeAi(failures: unknown[] = [], dimensions = 4) {
  const runs: Run[] = []
  const ai = {
    async run(model: string, inputs: Record<string, unknown>) {
      runs.push({ model, inputs })
      const failure = failures.shift()
      if (failure) throw failure
      if (Array.isArray(inputs.text)) {
        const texts = inputs.text as string[]
        return { shape: [texts.length, dimensions], data: texts.map((t) => [t.length, ...new Array(dimensions - 1).fill(1)]) }
      }
      if (typeof inputs.audio === 'string') {
        return { text: 'bonjour', segments: [{ start: 0, end: 2, text: 'bonjour' }], transcription_info: { language: inputs.language ?? 'en', duration: 2 } }
      }
      if (Array.isArray(inputs.contexts)) {
        return { response: (inputs.contexts as Array<{ text: string }>).map((c, id) => ({ id, score: c.text.length })) }
      }
      if (inputs.stream) {
        const events = [{ response: 'Hello ' }, { response: 'there.' }, { response: '', usage: { prompt_tokens: 9, completion_tokens: 2, total_tokens: 11 } }]
        const body = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + 'data: [DONE]\n\n'
        return new Response(body).body
      }
      return { response: 'Hello.', usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 } }
    },
  }
  return { ai: ai as unknown as Ai, runs }
}

const quick = resolvePolicies({ embedding: { baseDelayMs: 1 }, reasoning: { baseDelayMs: 1 } })

function config(models: Partial<Config['models']>, embeddingDimensions: number | null = null): Pick<Config, 'models' | 'embeddingDimensions'> & Partial<Pick<Config, 'embeddingBatchSize'>> {
  return { models: { reasoning: null, embedding: null, vision: null, speech: null, rerank: null, ...models }, embeddingDimensions }
}

describe('Workers AI embeddings', () => {
  it('calls bge with at most 100 texts and knows its 768 dimensions', async () => {
    const { ai, runs } = fakeAi([], 768)
    const embedder = workersAiModels(ai, config({ embedding: '@cf/baai/bge-base-en-v1.5' }), { policies: quick }).embedding!
    expect(embedder.dimensions).toBe(768)
    const vectors = await embedder.embed(Array.from({ length: 250 }, (_, i) => `text ${i}`))
    expect(vectors).toHaveLength(250)
    expect(vectors[0]).toHaveLength(768)
    expect(runs.map((r) => (r.inputs.text as string[]).length).sort((a, b) => b - a)).toEqual([100, 100, 50])
  })

  it('calls with EMBEDDING_BATCH_SIZE texts when it is set', async () => {
    const { ai, runs } = fakeAi([], 768)
    const embedder = workersAiModels(ai, { ...config({ embedding: '@cf/baai/bge-base-en-v1.5' }), embeddingBatchSize: 40 }, { policies: quick }).embedding!
    await embedder.embed(Array.from({ length: 90 }, (_, i) => `text ${i}`))
    expect(runs.map((r) => (r.inputs.text as string[]).length).sort((a, b) => b - a)).toEqual([40, 40, 10])
  })

  it('calls qwen3-embedding with at most 32 texts, in order', async () => {
    const { ai, runs } = fakeAi()
    const embedder = workersAiModels(ai, config({ embedding: '@cf/qwen/qwen3-embedding-0.6b' }, 4), { policies: quick }).embedding!
    const texts = Array.from({ length: 70 }, (_, i) => 'x'.repeat(i + 1))
    const vectors = await embedder.embed(texts)
    expect(runs.map((r) => (r.inputs.text as string[]).length).sort((a, b) => b - a)).toEqual([32, 32, 6])
    expect(vectors.map((v) => v[0])).toEqual(texts.map((t) => t.length))
  })

  it('retries when Workers AI is out of capacity (3040)', async () => {
    const { ai, runs } = fakeAi([new Error('3040: Capacity temporarily exceeded, please try again.')])
    const vectors = await workersAiModels(ai, config({ embedding: '@cf/baai/bge-small-en-v1.5' }, 4), { policies: quick }).embedding!.embed(['a'])
    expect(vectors).toHaveLength(1)
    expect(runs).toHaveLength(2)
  })

  it('asks bge with its query instruction', async () => {
    const { ai, runs } = fakeAi()
    await workersAiModels(ai, config({ embedding: '@cf/baai/bge-base-en-v1.5' }, 4), { policies: quick }).embedding!.embedQuery('penguins')
    expect(runs[0]!.inputs.text).toEqual(['Represent this sentence for searching relevant passages: penguins'])
  })
})

describe('Workers AI chat, speech and rerank', () => {
  it('generates and streams through the binding, counting tokens', async () => {
    const { ai, runs } = fakeAi()
    const meter = new UsageMeter()
    const models = workersAiModels(ai, config({ reasoning: WORKERS_AI_DEFAULTS.reasoning }), { policies: quick }).metered(meter)
    const generated = await generateText({ model: models.reasoning!.model, maxRetries: 0, prompt: 'Hi' })
    expect(generated.text).toBe('Hello.')
    const streamed = streamText({ model: models.reasoning!.model, maxRetries: 0, prompt: 'Hi' })
    expect(await streamed.text).toBe('Hello there.')
    expect(runs.map((r) => r.model)).toEqual([WORKERS_AI_DEFAULTS.reasoning, WORKERS_AI_DEFAULTS.reasoning])
    expect(meter.usage()).toEqual({ prompt_tokens: 17, completion_tokens: 3, total_tokens: 20 })
  })

  it('transcribes with Whisper, passing the language', async () => {
    const { ai, runs } = fakeAi()
    const speech = workersAiModels(ai, config({ speech: WORKERS_AI_DEFAULTS.speech }), { policies: quick }).speech!
    const transcript = await speech.transcribe({ audio: new Uint8Array([1, 2, 3]), mediaType: 'audio/mpeg', language: 'fr' })
    expect(transcript).toEqual({ text: 'bonjour', segments: [{ start: 0, end: 2, text: 'bonjour' }], language: 'fr', durationSeconds: 2 })
    expect(runs[0]).toMatchObject({ model: '@cf/openai/whisper-large-v3-turbo', inputs: { audio: 'AQID', language: 'fr' } })
  })

  it('reranks with bge-reranker, best first', async () => {
    const { ai } = fakeAi()
    const ranked = await workersAiModels(ai, config({ rerank: WORKERS_AI_DEFAULTS.rerank }), { policies: quick }).rerank!.rerank('q', ['aa', 'aaaa', 'a'])
    expect(ranked.map((r) => r.index)).toEqual([1, 0, 2])
  })

  it('builds only the roles that are on', () => {
    const { ai } = fakeAi()
    const models = workersAiModels(ai, config({ embedding: WORKERS_AI_DEFAULTS.embedding }))
    expect(models.provider).toBe('workers-ai')
    expect(models.embedding?.modelId).toBe('@cf/baai/bge-base-en-v1.5')
    expect([models.reasoning, models.vision, models.speech, models.rerank]).toEqual([null, null, null, null])
  })
})
