/**
 * @module The model roles as ports: what the agent, the pipeline and search may ask of a model,
 * whatever serves it (Workers AI, an OpenAI-compatible endpoint, or nothing). Adapters return `Models`.
 */
import type { EmbeddingModel, LanguageModel, RerankingModel, TranscriptionModel } from 'ai'
import type { ModelRole } from '../config'
import type { UsageMeter } from './usage'

/** The AI SDK's model specifications, version 3 (what the providers we use implement). */
export type LanguageModelV3 = Extract<LanguageModel, { specificationVersion: 'v3' }>
export type EmbeddingModelV3 = Extract<EmbeddingModel, { specificationVersion: 'v3' }>
export type TranscriptionModelV3 = Extract<TranscriptionModel, { specificationVersion: 'v3' }>
export type RerankingModelV3 = Extract<RerankingModel, { specificationVersion: 'v3' }>

export type CallOptions = { signal?: AbortSignal }

/**
 * Chat with tools, streaming. `model` goes to the AI SDK's `streamText`/`generateText` with
 * `maxRetries: 0`: each model call already retries, times out and counts its tokens inside.
 * @example
 * const result = streamText({ model: models.reasoning.model, maxRetries: 0, messages, tools })
 */
export type ReasoningModel = {
  readonly modelId: string
  readonly model: LanguageModelV3
}

export type Embedder = {
  readonly modelId: string
  /**
   * The length of every vector: from EMBEDDING_DIMENSIONS or the model's known size; null when
   * neither says, until the first answer fixes it. An answer of another length is an error.
   */
  readonly dimensions: number | null
  /** Texts per model call (Workers AI: bge ≤ 100, qwen3-embedding ≤ 32). */
  readonly batchSize: number
  /** Passages, in order, in as many calls as `batchSize` requires, with the passage instruction the model expects (e5), if any. */
  embed(texts: readonly string[], options?: CallOptions): Promise<Float32Array[]>
  /** A search query, with the query instruction the model expects (bge, qwen3, gemma), if any. */
  embedQuery(text: string, options?: CallOptions): Promise<Float32Array>
}

export type VisionModel = {
  readonly modelId: string
  /**
   * An OCR engine (the local server's Tesseract): it answers with the words in a picture whatever it
   * is asked, so it is given scans and pictures, never a text page's figures (their words are indexed).
   */
  readonly readsTextOnly: boolean
  /** For the agent's own prompts, with `maxRetries: 0` as for `ReasoningModel`. */
  readonly model: LanguageModelV3
  /** What the model says about one image, asked with `prompt`. */
  describe(input: { image: Uint8Array; mediaType: string; prompt: string; maxOutputTokens?: number } & CallOptions): Promise<string>
}

export type TranscriptSegment = { start: number; end: number; text: string }
export type Transcript = { text: string; segments: TranscriptSegment[]; language: string | null; durationSeconds: number | null }

export type SpeechToText = {
  readonly modelId: string
  transcribe(input: { audio: Uint8Array; mediaType: string; language?: string } & CallOptions): Promise<Transcript>
}

export type RerankResult = { index: number; score: number }

export type Reranker = {
  readonly modelId: string
  /** Every document's index into `documents` with its score, best first (the first `topN` when given). */
  rerank(query: string, documents: readonly string[], options?: { topN?: number } & CallOptions): Promise<RerankResult[]>
}

/** One adapter per role, or null where the role is off. */
export type Models = {
  readonly provider: 'workers-ai' | 'openai' | 'none'
  readonly reasoning: ReasoningModel | null
  readonly embedding: Embedder | null
  readonly vision: VisionModel | null
  readonly speech: SpeechToText | null
  readonly rerank: Reranker | null
  /**
   * The same models, with every call's tokens also added to `meter`: one meter per completion run,
   * since `Models` is built once per isolate and shared by concurrent requests.
   */
  metered(meter: UsageMeter): Models
}

export type { ModelRole }
