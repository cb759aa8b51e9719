/**
 * @module Turns AI SDK models into Cairn's role ports, the same way for every provider: retries and
 * deadlines around each call (retry.ts), embeddings in batches, and token accounting per role.
 * The Workers AI and OpenAI-compatible adapters only choose and build the SDK models.
 */
import { embedMany, generateText, rerank } from 'ai'
import type { ModelRole } from '../config'
import { readsTextOnly, type EmbeddingFacts } from './catalogue'
import type {
  CallOptions,
  Embedder,
  EmbeddingModelV3,
  LanguageModelV3,
  Models,
  ReasoningModel,
  Reranker,
  RerankingModelV3,
  SpeechToText,
  TranscriptionModelV3,
  VisionModel,
} from './ports'
import { resolvePolicies, withRetry, type Policies, type RetryPolicy } from './retry'
import { fanOut, type UsageMeter, type UsageSink } from './usage'

export type EmbeddingSpec = {
  model: EmbeddingModelV3
  dimensions: number | null
  batchSize: number
  /** Put before a search query (not before passages), as the model's card asks. */
  queryPrefix?: string
  /** Put before every passage (never before a query), for models trained that way (e5). */
  passagePrefix?: string
  /** Passed to every call, e.g. `{ openai: { dimensions: 256 } }`. */
  providerOptions?: Record<string, Record<string, number | string>>
}

/**
 * An embedding model with what the catalogue knows of it: `dimensions` (EMBEDDING_DIMENSIONS) wins over
 * the catalogue's size; `batchSize` serves when the catalogue has none.
 */
export function embeddingSpec(
  model: EmbeddingModelV3,
  facts: EmbeddingFacts | undefined,
  given: { dimensions: number | null; batchSize: number; batchSizeOverride?: number | null; providerOptions?: EmbeddingSpec['providerOptions'] },
): EmbeddingSpec {
  return {
    model,
    dimensions: given.dimensions ?? facts?.dimensions ?? null,
    batchSize: given.batchSizeOverride ?? facts?.batchSize ?? given.batchSize,
    ...(facts?.queryPrefix ? { queryPrefix: facts.queryPrefix } : {}),
    ...(facts?.passagePrefix ? { passagePrefix: facts.passagePrefix } : {}),
    ...(given.providerOptions ? { providerOptions: given.providerOptions } : {}),
  }
}

/** The SDK models a provider offers for the roles that are on. */
export type SdkModels = {
  reasoning?: LanguageModelV3 | undefined
  embedding?: EmbeddingSpec | undefined
  vision?: LanguageModelV3 | undefined
  /** Per language, since some providers take it as a model setting (Workers AI's Whisper). */
  speech?: { modelId: string; model: (language: string | undefined) => TranscriptionModelV3 } | undefined
  rerank?: RerankingModelV3 | undefined
}

export type AssembleOptions = {
  policies?: Policies
  /** Gets every call's usage, for the life of these models (e.g. logging). */
  sink?: UsageSink
  /** Embedding batches in flight at once (Workers allow 6 open connections per invocation). */
  embeddingConcurrency?: number
}

export function assembleModels(provider: Models['provider'], sdk: SdkModels, options: AssembleOptions = {}): Models {
  const policies = options.policies ?? resolvePolicies()
  const build = (sink: UsageSink): Models => ({
    provider,
    reasoning: sdk.reasoning ? reasoningModel(sdk.reasoning, policies.reasoning, sink) : null,
    embedding: sdk.embedding ? embedder(sdk.embedding, policies.embedding, sink, options.embeddingConcurrency ?? 3) : null,
    vision: sdk.vision ? visionModel(sdk.vision, policies.vision, sink) : null,
    speech: sdk.speech ? speechToText(sdk.speech, policies.speech, sink) : null,
    rerank: sdk.rerank ? reranker(sdk.rerank, policies.rerank, sink) : null,
    metered: (meter: UsageMeter) => build(fanOut(sink, meter.record)),
  })
  return build(fanOut(options.sink))
}

/**
 * A language model whose every call is retried, given a deadline and counted. Streams are retried
 * only until they open: once tokens have flowed, a failure is the caller's to handle.
 */
export function resilientLanguageModel(model: LanguageModelV3, role: ModelRole, policy: RetryPolicy, sink: UsageSink): LanguageModelV3 {
  const retry = { role, modelId: model.modelId, policy }
  return {
    specificationVersion: 'v3',
    provider: model.provider,
    modelId: model.modelId,
    get supportedUrls() {
      return model.supportedUrls
    },
    async doGenerate(params) {
      const result = await withRetry((signal) => model.doGenerate({ ...params, abortSignal: signal }), { ...retry, signal: params.abortSignal })
      sink(role, { inputTokens: result.usage.inputTokens.total, outputTokens: result.usage.outputTokens.total })
      return result
    },
    async doStream(params) {
      const result = await withRetry((signal) => model.doStream({ ...params, abortSignal: signal }), { ...retry, signal: params.abortSignal })
      let counted = false
      const count = new TransformStream<(typeof result.stream extends ReadableStream<infer P> ? P : never)>({
        transform(part, controller) {
          if (part.type === 'finish' && !counted) {
            counted = true
            sink(role, { inputTokens: part.usage.inputTokens.total, outputTokens: part.usage.outputTokens.total })
          }
          controller.enqueue(part)
        },
      })
      return { ...result, stream: result.stream.pipeThrough(count) }
    },
  }
}

function reasoningModel(model: LanguageModelV3, policy: RetryPolicy, sink: UsageSink): ReasoningModel {
  return { modelId: model.modelId, model: resilientLanguageModel(model, 'reasoning', policy, sink) }
}

function visionModel(model: LanguageModelV3, policy: RetryPolicy, sink: UsageSink): VisionModel {
  const wrapped = resilientLanguageModel(model, 'vision', policy, sink)
  return {
    modelId: model.modelId,
    readsTextOnly: readsTextOnly(model.modelId),
    model: wrapped,
    async describe({ image, mediaType, prompt, maxOutputTokens, signal }) {
      const { text } = await generateText({
        model: wrapped,
        maxRetries: 0,
        abortSignal: signal,
        ...(maxOutputTokens ? { maxOutputTokens } : {}),
        messages: [{ role: 'user', content: [{ type: 'text', text: prompt }, { type: 'image', image, mediaType }] }],
      })
      return text
    },
  }
}

function embedder(spec: EmbeddingSpec, policy: RetryPolicy, sink: UsageSink, concurrency: number): Embedder {
  const { model } = spec
  let dimensions = spec.dimensions
  const retry = { role: 'embedding' as const, modelId: model.modelId, policy }

  async function batch(values: string[], options: CallOptions): Promise<Float32Array[]> {
    const result = await withRetry(
      (signal) =>
        embedMany({
          model,
          values,
          maxRetries: 0,
          maxParallelCalls: 1,
          abortSignal: signal,
          ...(spec.providerOptions ? { providerOptions: spec.providerOptions } : {}),
        }),
      { ...retry, signal: options.signal },
    )
    sink('embedding', { inputTokens: result.usage?.tokens })
    if (result.embeddings.length !== values.length) {
      throw new Error(`The embedding model "${model.modelId}" answered ${result.embeddings.length} vectors for ${values.length} texts.`)
    }
    return result.embeddings.map((values) => {
      dimensions ??= values.length
      if (values.length !== dimensions) {
        throw new Error(`The embedding model "${model.modelId}" answered a vector of ${values.length} dimensions where ${dimensions} were expected (EMBEDDING_DIMENSIONS).`)
      }
      return Float32Array.from(values)
    })
  }

  async function embedAll(texts: readonly string[], options: CallOptions): Promise<Float32Array[]> {
    const batches: string[][] = []
    for (let i = 0; i < texts.length; i += spec.batchSize) batches.push(texts.slice(i, i + spec.batchSize))
    const out = await mapLimit(batches, concurrency, (values) => batch(values, options))
    return out.flat()
  }

  const passagePrefix = spec.passagePrefix ?? ''
  return {
    modelId: model.modelId,
    get dimensions() {
      return dimensions
    },
    batchSize: spec.batchSize,
    embed: (texts, options = {}) => embedAll(passagePrefix ? texts.map((t) => `${passagePrefix}${t}`) : texts, options),
    async embedQuery(text, options = {}) {
      const [vector] = await embedAll([`${spec.queryPrefix ?? ''}${text}`], options)
      return vector!
    },
  }
}

function speechToText(spec: NonNullable<SdkModels['speech']>, policy: RetryPolicy, sink: UsageSink): SpeechToText {
  return {
    modelId: spec.modelId,
    async transcribe({ audio, mediaType, language, signal }) {
      const model = spec.model(language)
      // The model directly, not the SDK's `transcribe()`, which would guess the media type from the bytes.
      const result = await withRetry((attemptSignal) => model.doGenerate({ audio, mediaType, abortSignal: attemptSignal }), {
        role: 'speech',
        modelId: spec.modelId,
        policy,
        signal,
      })
      const duration = result.durationInSeconds ?? result.segments.at(-1)?.endSecond ?? null
      sink('speech', { audioSeconds: duration ?? undefined })
      return {
        text: result.text,
        segments: result.segments.map((s) => ({ start: s.startSecond, end: s.endSecond, text: s.text })),
        language: result.language ?? null,
        durationSeconds: duration,
      }
    },
  }
}

function reranker(model: RerankingModelV3, policy: RetryPolicy, sink: UsageSink): Reranker {
  return {
    modelId: model.modelId,
    async rerank(query, documents, options = {}) {
      if (documents.length === 0) return []
      const result = await withRetry(
        (signal) => rerank({ model, query, documents: [...documents], maxRetries: 0, abortSignal: signal, ...(options.topN ? { topN: options.topN } : {}) }),
        { role: 'rerank', modelId: model.modelId, policy, signal: options.signal },
      )
      sink('rerank', {})
      return result.ranking.map((r) => ({ index: r.originalIndex, score: r.score })).sort((a, b) => b.score - a.score)
    },
  }
}

/** Runs `fn` over `items` with at most `limit` at once, keeping their order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return out
}
