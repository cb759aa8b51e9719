/**
 * The OpenAI-compatible adapters over real HTTP, inside workerd, against the scripted model server
 * (test/model-server): chat (plain, streamed, with tools), embeddings in batches, speech-to-text,
 * rerank, bearer auth, and retries on 429/5xx and on answers that come too late.
 */
import { generateText, stepCountIs, streamText, tool } from 'ai'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Config } from '../../src/config'
import { ModelCallError, resolvePolicies } from '../../src/models'
import { openAiCompatibleModels } from '../../src/models/openai-compatible'
import { UsageMeter } from '../../src/models/usage'
import { bagOfWords, EMBEDDING_DIMENSIONS } from '../model-server/bag-of-words'
import { unique } from './api-client'
import { server, script, received } from './model-server-client'




const quick = resolvePolicies({
  reasoning: { baseDelayMs: 1, timeoutMs: 2_000 },
  embedding: { baseDelayMs: 1, timeoutMs: 2_000 },
  vision: { baseDelayMs: 1, timeoutMs: 2_000 },
  speech: { baseDelayMs: 1, timeoutMs: 2_000 },
  rerank: { baseDelayMs: 1, timeoutMs: 2_000 },
})

function models(roles: Partial<Config['models']>, extra: Partial<Pick<Config, 'openAiApiKey' | 'embeddingDimensions'>> = {}, policies = quick) {
  return openAiCompatibleModels(
    {
      models: { reasoning: null, embedding: null, vision: null, speech: null, rerank: null, ...roles },
      openAiBaseUrl: `${server}/v1`,
      openAiApiKey: extra.openAiApiKey ?? null,
      embeddingDimensions: extra.embeddingDimensions ?? null,
    },
    { policies },
  )
}

describe('chat', () => {
  it('answers, with the key as a bearer token, and counts tokens', async () => {
    const model = unique('chat')
    await script(model, [{ content: 'Hello from the model.', usage: { prompt: 21, completion: 5 } }])
    const meter = new UsageMeter()
    const m = models({ reasoning: model }, { openAiApiKey: 'sk-test' }).metered(meter)
    const { text } = await generateText({ model: m.reasoning!.model, maxRetries: 0, prompt: 'Say hello' })
    expect(text).toBe('Hello from the model.')
    const [request] = await received(model)
    expect(request!.authorization).toBe('Bearer sk-test')
    expect(request!.body).toMatchObject({ model, messages: [{ role: 'user', content: 'Say hello' }] })
    expect(meter.usage()).toEqual({ prompt_tokens: 21, completion_tokens: 5, total_tokens: 26 })
  })

  it('streams, asking for the usage chunk, and counts it', async () => {
    const model = unique('stream')
    await script(model, [{ content: 'Streaming works in small pieces.', usage: { prompt: 9, completion: 6 } }])
    const meter = new UsageMeter()
    const m = models({ reasoning: model }).metered(meter)
    const result = streamText({ model: m.reasoning!.model, maxRetries: 0, prompt: 'Stream please' })
    const pieces: string[] = []
    for await (const piece of result.textStream) pieces.push(piece)
    expect(pieces.join('')).toBe('Streaming works in small pieces.')
    expect(pieces.length).toBeGreaterThan(1)
    expect((await received(model))[0]!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } })
    expect(meter.usage()).toEqual({ prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 })
  })

  it('runs a tool loop: the call streams in, the result goes back with its id', async () => {
    const model = unique('tools')
    await script(model, [{ toolCalls: [{ name: 'search', arguments: { query: 'penguin colonies' } }] }, { content: 'Penguins nest in colonies [1].' }])
    const searched: string[] = []
    const result = streamText({
      model: models({ reasoning: model }).reasoning!.model,
      maxRetries: 0,
      prompt: 'Where do penguins nest?',
      stopWhen: stepCountIs(3),
      tools: {
        search: tool({
          description: 'Search the workspace',
          inputSchema: z.object({ query: z.string() }),
          execute: async ({ query }) => {
            searched.push(query)
            return [{ chunk: 'Penguins nest in large colonies.' }]
          },
        }),
      },
    })
    expect(await result.text).toBe('Penguins nest in colonies [1].')
    expect(searched).toEqual(['penguin colonies'])
    const [first, second] = await received(model)
    expect((first!.body as any).tools[0]).toMatchObject({ type: 'function', function: { name: 'search' } })
    const toolMessage = (second!.body as any).messages.find((m: any) => m.role === 'tool')
    expect(toolMessage).toMatchObject({ tool_call_id: 'call_1' })
    expect(toolMessage.content).toContain('large colonies')
  })

  it('retries a stream that fails to open with 503, then streams', async () => {
    const model = unique('flaky-stream')
    await script(model, [{ status: 503 }, { content: 'Back again.' }])
    const result = streamText({ model: models({ reasoning: model }).reasoning!.model, maxRetries: 0, prompt: 'Hi' })
    expect(await result.text).toBe('Back again.')
    expect(await received(model)).toHaveLength(2)
  })

  it('sends an image to the vision model and returns its description', async () => {
    const model = unique('vision')
    await script(model, [{ content: 'A bar chart of revenue by year.' }])
    const m = models({ vision: model })
    const text = await m.vision!.describe({ image: new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]), mediaType: 'image/png', prompt: 'Describe the figure.' })
    expect(text).toBe('A bar chart of revenue by year.')
    const content = ((await received(model))[0]!.body as any).messages[0].content
    expect(content).toEqual([{ type: 'text', text: 'Describe the figure.' }, { type: 'image_url', image_url: { url: expect.stringMatching(/^data:image\/png;base64,/) } }])
  })
})

describe('embeddings', () => {
  it('embeds in batches, in order, and learns the size from the answer', async () => {
    const model = unique('embed')
    const m = models({ embedding: model })
    const texts = Array.from({ length: 150 }, (_, i) => `passage number ${i} about ${i % 2 === 0 ? 'penguins' : 'glaciers'}`)
    const vectors = await m.embedding!.embed(texts)
    expect(vectors).toHaveLength(150)
    expect(m.embedding!.dimensions).toBe(EMBEDDING_DIMENSIONS)
    expect([...vectors[17]!]).toEqual(bagOfWords(texts[17]!).map((x) => Math.fround(x)))
    const calls = await received(model)
    expect(calls.map((c) => (c.body as any).input.length).sort((a: number, b: number) => b - a)).toEqual([64, 64, 22])
    expect(calls.every((c) => c.path === '/v1/embeddings')).toBe(true)
  })

  it('says so when the answers do not have the size EMBEDDING_DIMENSIONS states', async () => {
    const model = unique('embed-size')
    await expect(models({ embedding: model }, { embeddingDimensions: 768 }).embedding!.embed(['x'])).rejects.toThrow(/256 dimensions where 768 were expected/)
    // Not sent as `dimensions`: only OpenAI's text-embedding-3 models shorten on request.
    expect((await received(model))[0]!.body).not.toHaveProperty('dimensions')
  })

  it('retries 429 (honouring Retry-After) and 500, then succeeds', async () => {
    const model = unique('embed-flaky')
    await script(model, [{ status: 429, headers: { 'retry-after': '0' } }, { status: 500 }])
    const [vector] = await models({ embedding: model }).embedding!.embed(['penguins'])
    expect([...vector!]).toEqual(bagOfWords('penguins').map((x) => Math.fround(x)))
    expect(await received(model)).toHaveLength(3)
  })

  it('gives up after its attempts with the last status', async () => {
    const model = unique('embed-down')
    await script(model, [{ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }])
    const error = await models({ embedding: model }).embedding!.embed(['x']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ModelCallError)
    expect(error).toMatchObject({ role: 'embedding', attempts: 4, transient: true, status: 502 })
    expect(await received(model)).toHaveLength(4)
  })

  it('does not retry a request the server refuses', async () => {
    const model = unique('embed-refused')
    await script(model, [{ status: 400, body: { error: { message: 'input too long', type: 'invalid_request_error' } } }])
    const error = await models({ embedding: model }).embedding!.embed(['x']).catch((e: unknown) => e)
    expect(error).toMatchObject({ transient: false, status: 400 })
    expect((error as Error).message).toMatch(/input too long/)
    expect(await received(model)).toHaveLength(1)
  })

  it('retries when nothing listens at the base URL, then says it could not connect', async () => {
    const closed = openAiCompatibleModels(
      { models: { reasoning: null, embedding: 'anything', vision: null, speech: null, rerank: null }, openAiBaseUrl: 'http://127.0.0.1:9/v1', openAiApiKey: null, embeddingDimensions: null },
      { policies: resolvePolicies({ embedding: { baseDelayMs: 1, attempts: 2 } }) },
    )
    const error = await closed.embedding!.embed(['x']).catch((e: unknown) => e)
    expect(error).toMatchObject({ attempts: 2, transient: true, status: null })
  })

  it('abandons an answer that comes too late and asks again', async () => {
    const model = unique('embed-slow')
    await script(model, [{ delayMs: 3_000 }])
    const slowPolicy = resolvePolicies({ embedding: { baseDelayMs: 1, timeoutMs: 300 } })
    const vectors = await models({ embedding: model }, {}, slowPolicy).embedding!.embed(['late'])
    expect(vectors).toHaveLength(1)
    expect(await received(model)).toHaveLength(2)
  })
})

describe('speech and rerank', () => {
  it('transcribes through /audio/transcriptions with segments and the language', async () => {
    const model = unique('whisper')
    const meter = new UsageMeter()
    const transcript = await models({ speech: model }).metered(meter).speech!.transcribe({ audio: new Uint8Array(1234), mediaType: 'audio/mpeg', language: 'de' })
    expect(transcript).toEqual({ text: 'heard 1234 bytes', segments: [{ start: 0, end: 2.5, text: 'heard 1234 bytes' }], language: 'de', durationSeconds: 2.5 })
    expect((await received(model))[0]!.body).toMatchObject({ model, response_format: 'verbose_json', language: 'de', fileType: 'audio/mpeg' })
    expect(meter.perceptionUsage()).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })
    expect(meter.role('speech').audioSeconds).toBe(2.5)
  })

  it('reranks through /rerank, best first', async () => {
    const model = unique('rerank')
    const ranked = await models({ rerank: model }).rerank!.rerank('penguin colonies', ['glaciers melt', 'penguin colonies on ice', 'tax forms'])
    expect(ranked[0]!.index).toBe(1)
    expect((await received(model))[0]!.body).toMatchObject({ query: 'penguin colonies', documents: ['glaciers melt', 'penguin colonies on ice', 'tax forms'] })
  })
})
