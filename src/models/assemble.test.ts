import { generateText, simulateReadableStream, stepCountIs, streamText, tool } from 'ai'
import { MockEmbeddingModelV3, MockLanguageModelV3, MockRerankingModelV3 } from 'ai/test'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { assembleModels } from './assemble'
import type { LanguageModelV3, TranscriptionModelV3 } from './ports'
import { resolvePolicies } from './retry'
import { UsageMeter } from './usage'

type StreamPart = Awaited<ReturnType<LanguageModelV3['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never

const quick = resolvePolicies({
  reasoning: { baseDelayMs: 1 },
  embedding: { baseDelayMs: 1 },
  vision: { baseDelayMs: 1 },
  speech: { baseDelayMs: 1 },
  rerank: { baseDelayMs: 1 },
})

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: output, text: output, reasoning: undefined },
})

const generated = (text: string, input = 10, output = 5) => ({
  content: [{ type: 'text' as const, text }],
  finishReason: { unified: 'stop' as const, raw: 'stop' },
  usage: usage(input, output),
  warnings: [],
})

/** An embedding model that answers [length of text, position in batch, 1] and records each call. */
function lengthEmbedder(dimensions = 3) {
  const calls: string[][] = []
  const model = new MockEmbeddingModelV3({
    modelId: 'mock-embed',
    maxEmbeddingsPerCall: 1000,
    doEmbed: async ({ values }) => {
      calls.push(values)
      return { embeddings: values.map((v, i) => [v.length, i, 1, 0, 0].slice(0, dimensions)), usage: { tokens: values.length * 2 }, warnings: [] }
    },
  })
  return { model, calls }
}

describe('embedding', () => {
  it('embeds in batches of the model batch size, keeping order', async () => {
    const { model, calls } = lengthEmbedder()
    const models = assembleModels('openai', { embedding: { model, dimensions: 3, batchSize: 3 } }, { policies: quick })
    const texts = ['a', 'bb', 'ccc', 'dddd', 'eeeee', 'ffffff', 'ggggggg']
    const vectors = await models.embedding!.embed(texts)
    expect(calls.map((c) => c.length)).toEqual([3, 3, 1])
    expect(vectors.map((v) => v[0])).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(vectors[0]).toBeInstanceOf(Float32Array)
  })

  it('learns the size from the first answer when nothing says it, then holds every answer to it', async () => {
    let dimensions = 3
    const model = new MockEmbeddingModelV3({
      doEmbed: async ({ values }) => ({ embeddings: values.map(() => new Array(dimensions).fill(1)), warnings: [] }),
    })
    const embedder = assembleModels('openai', { embedding: { model, dimensions: null, batchSize: 10 } }, { policies: quick }).embedding!
    expect(embedder.dimensions).toBeNull()
    await embedder.embed(['x'])
    expect(embedder.dimensions).toBe(3)
    dimensions = 4
    await expect(embedder.embed(['y'])).rejects.toThrow(/4 dimensions where 3 were expected/)
  })

  it('puts the query instruction before queries only', async () => {
    const { model, calls } = lengthEmbedder()
    const embedder = assembleModels('workers-ai', { embedding: { model, dimensions: 3, batchSize: 10, queryPrefix: 'Q: ' } }, { policies: quick }).embedding!
    await embedder.embed(['passage'])
    await embedder.embedQuery('question')
    expect(calls).toEqual([['passage'], ['Q: question']])
  })

  it('retries a batch the provider refused for a moment', async () => {
    let calls = 0
    const model = new MockEmbeddingModelV3({
      maxEmbeddingsPerCall: 10,
      doEmbed: async ({ values }) => {
        calls++
        if (calls === 1) {
          const { APICallError } = await import('ai')
          throw new APICallError({ message: 'busy', url: 'x', requestBodyValues: {}, statusCode: 429 })
        }
        return { embeddings: values.map(() => [1, 0]), warnings: [] }
      },
    })
    const vectors = await assembleModels('openai', { embedding: { model, dimensions: 2, batchSize: 10 } }, { policies: quick }).embedding!.embed(['a', 'b'])
    expect(vectors).toHaveLength(2)
    expect(calls).toBe(2)
  })
})

describe('token accounting', () => {
  it('counts each role separately, in the meter of the run that made the call', async () => {
    const reasoning = new MockLanguageModelV3({ modelId: 'chat', doGenerate: async () => generated('hello', 12, 3) })
    const vision = new MockLanguageModelV3({ modelId: 'eyes', doGenerate: async () => generated('a cat', 100, 4) })
    const { model } = lengthEmbedder()
    const models = assembleModels('openai', { reasoning, vision, embedding: { model, dimensions: 3, batchSize: 10 } }, { policies: quick })

    const run = new UsageMeter()
    const other = new UsageMeter()
    const mine = models.metered(run)
    await generateText({ model: mine.reasoning!.model, maxRetries: 0, prompt: 'hi' })
    await generateText({ model: mine.reasoning!.model, maxRetries: 0, prompt: 'again' })
    expect(await mine.vision!.describe({ image: new Uint8Array([137, 80, 78, 71]), mediaType: 'image/png', prompt: 'What is this?' })).toBe('a cat')
    await mine.embedding!.embed(['x', 'y'])
    await generateText({ model: models.metered(other).reasoning!.model, maxRetries: 0, prompt: 'elsewhere' })

    expect(run.usage()).toEqual({ prompt_tokens: 24, completion_tokens: 6, total_tokens: 30 })
    expect(run.perceptionUsage()).toEqual({ prompt_tokens: 100, completion_tokens: 4, total_tokens: 104 })
    expect(run.role('embedding')).toMatchObject({ calls: 1, inputTokens: 4 })
    expect(other.usage().total_tokens).toBe(15)
  })

  it('counts a stream once it finishes, and the tool loop streams through it', async () => {
    let step = 0
    const reasoning = new MockLanguageModelV3({
      modelId: 'chat',
      doStream: async () => {
        step++
        const chunks: StreamPart[] =
          step === 1
            ? [
                { type: 'tool-call' as const, toolCallId: 'call-1', toolName: 'search', input: '{"query":"penguins"}' },
                { type: 'finish' as const, finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' }, usage: usage(20, 8) },
              ]
            : [
                { type: 'text-start' as const, id: 't' },
                { type: 'text-delta' as const, id: 't', delta: 'Penguins ' },
                { type: 'text-delta' as const, id: 't', delta: 'swim.' },
                { type: 'text-end' as const, id: 't' },
                { type: 'finish' as const, finishReason: { unified: 'stop' as const, raw: 'stop' }, usage: usage(30, 2) },
              ]
        return { stream: simulateReadableStream({ chunks }) }
      },
    })
    const meter = new UsageMeter()
    const models = assembleModels('openai', { reasoning }, { policies: quick }).metered(meter)
    const searched: string[] = []
    const result = streamText({
      model: models.reasoning!.model,
      maxRetries: 0,
      prompt: 'Do penguins swim?',
      stopWhen: stepCountIs(3),
      tools: {
        search: tool({
          inputSchema: z.object({ query: z.string() }),
          execute: async ({ query }) => {
            searched.push(query)
            return 'They do.'
          },
        }),
      },
    })
    expect(await result.text).toBe('Penguins swim.')
    expect(searched).toEqual(['penguins'])
    expect(meter.usage()).toEqual({ prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 })
    expect(meter.role('reasoning').calls).toBe(2)
  })
})

describe('speech and rerank', () => {
  it('transcribes with the language asked for, and counts the audio seconds', async () => {
    const languages: Array<string | undefined> = []
    const transcription = (language: string | undefined): TranscriptionModelV3 => ({
      specificationVersion: 'v3',
      provider: 'mock',
      modelId: 'ears',
      doGenerate: async ({ audio, mediaType }) => {
        languages.push(language)
        return {
          text: `${(audio as Uint8Array).length} bytes of ${mediaType}`,
          segments: [{ text: 'hello', startSecond: 0, endSecond: 1.5 }],
          language: language ?? 'en',
          durationInSeconds: undefined,
          warnings: [],
          response: { timestamp: new Date(), modelId: 'ears' },
        }
      },
    })
    const meter = new UsageMeter()
    const speech = assembleModels('workers-ai', { speech: { modelId: 'ears', model: transcription } }, { policies: quick }).metered(meter).speech!
    const transcript = await speech.transcribe({ audio: new Uint8Array(10), mediaType: 'audio/wav', language: 'fr' })
    expect(transcript).toEqual({ text: '10 bytes of audio/wav', segments: [{ start: 0, end: 1.5, text: 'hello' }], language: 'fr', durationSeconds: 1.5 })
    expect(languages).toEqual(['fr'])
    expect(meter.role('speech').audioSeconds).toBe(1.5)
  })

  it('reranks best first, with indexes into the documents given', async () => {
    const model = new MockRerankingModelV3({
      doRerank: async ({ documents }) => ({
        ranking: (documents.values as string[]).map((text, index) => ({ index, relevanceScore: text.includes('swim') ? 0.9 : 0.1 })).reverse(),
      }),
    })
    const reranker = assembleModels('openai', { rerank: model }, { policies: quick }).rerank!
    const ranked = await reranker.rerank('do penguins swim', ['penguins are birds', 'penguins swim well', 'ice'])
    expect(ranked[0]).toEqual({ index: 1, score: 0.9 })
    expect(ranked).toHaveLength(3)
    expect(await reranker.rerank('q', [])).toEqual([])
  })
})
