/**
 * @module The OpenAI-compatible adapter (bring your own model: OpenAI, Azure, vLLM, Ollama, LM Studio,
 * Cairn's local model server…): chat and embeddings through `@ai-sdk/openai-compatible`, speech-to-text
 * and rerank over plain HTTP (openai-http.ts), against one endpoint: OPENAI_BASE_URL for the provider's
 * roles, or a role's own EMBEDDING_BASE_URL / RERANK_BASE_URL (index.ts composes them).
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import type { Config, Endpoint } from '../config'
import { assembleModels, embeddingSpec, type AssembleOptions, type SdkModels } from './assemble'
import { OPENAI_DEFAULT_BATCH, openAiCompatibleEmbeddingFacts, shortensOnRequest } from './catalogue'
import { openAiRerankingModel, openAiTranscriptionModel, type HttpSettings } from './openai-http'
import type { Models } from './ports'

export type OpenAiOptions = AssembleOptions & {
  /** For tests, or to route through a service binding. */
  fetch?: typeof fetch
}

/**
 * @example
 * const models = openAiCompatibleModels(readConfig({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1', EMBEDDING_MODEL: 'nomic-embed-text', … }))
 */
export function openAiCompatibleModels(
  config: Pick<Config, 'models' | 'openAiBaseUrl' | 'openAiApiKey' | 'embeddingDimensions'>,
  options: OpenAiOptions = {},
): Models {
  if (!config.openAiBaseUrl) throw new Error('openAiCompatibleModels needs OPENAI_BASE_URL')
  const endpoint = { baseUrl: config.openAiBaseUrl, apiKey: config.openAiApiKey }
  return assembleModels('openai', openAiCompatibleSdkModels(endpoint, config, options), options)
}

/**
 * The AI SDK models for the roles `config.models` names, all served by `endpoint`. Used for the whole
 * provider and for a role with an endpoint of its own alike, so both are built the same way.
 * @example
 * const { embedding } = openAiCompatibleSdkModels({ baseUrl: 'http://127.0.0.1:8088/v1', apiKey: null }, { models: { embedding: 'bge-small-en-v1.5' }, embeddingDimensions: null })
 */
export function openAiCompatibleSdkModels(
  endpoint: Endpoint,
  config: { models: Partial<Config['models']>; embeddingDimensions: number | null; embeddingBatchSize?: number | null },
  options: Pick<OpenAiOptions, 'fetch'> = {},
): SdkModels {
  const baseUrl = endpoint.baseUrl.replace(/\/+$/, '')
  // Late-bound, so a test that replaces globalThis.fetch is seen.
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init))
  const provider = createOpenAICompatible({
    name: 'openai',
    baseURL: baseUrl,
    ...(endpoint.apiKey ? { apiKey: endpoint.apiKey } : {}),
    fetch: doFetch,
    // Token accounting needs the usage chunk at the end of a stream.
    includeUsage: true,
  })
  const http: HttpSettings = { baseUrl, apiKey: endpoint.apiKey, fetch: doFetch }
  const { reasoning, embedding, vision, speech, rerank } = config.models
  const sdk: SdkModels = {
    reasoning: reasoning ? provider.chatModel(reasoning) : undefined,
    vision: vision ? provider.chatModel(vision) : undefined,
    speech: speech ? { modelId: speech, model: (language) => openAiTranscriptionModel(speech, http, language) } : undefined,
    rerank: rerank ? openAiRerankingModel(rerank, http) : undefined,
  }
  if (embedding) {
    const facts = openAiCompatibleEmbeddingFacts(embedding)
    const wanted = config.embeddingDimensions
    // Only OpenAI's text-embedding-3 models shorten on request; elsewhere EMBEDDING_DIMENSIONS states
    // the size the model has, and an answer of another size is reported rather than sent for.
    const shorten = wanted !== null && shortensOnRequest(embedding) && wanted !== facts?.dimensions
    sdk.embedding = embeddingSpec(provider.embeddingModel(embedding), facts, {
      dimensions: wanted,
      batchSize: OPENAI_DEFAULT_BATCH,
      batchSizeOverride: config.embeddingBatchSize ?? null,
      ...(shorten ? { providerOptions: { openai: { dimensions: wanted } } } : {}),
    })
  }
  return sdk
}
