/**
 * @module The OpenAI-compatible adapter (bring your own model: OpenAI, Azure, vLLM, Ollama, LM Studio…):
 * chat and embeddings through `@ai-sdk/openai-compatible`, speech-to-text and rerank over plain HTTP
 * (openai-http.ts), all against OPENAI_BASE_URL with OPENAI_API_KEY.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible'
import type { Config } from '../config'
import { assembleModels, type AssembleOptions, type SdkModels } from './assemble'
import { OPENAI_DEFAULT_BATCH, OPENAI_EMBEDDINGS, shortensOnRequest } from './catalogue'
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
  const baseUrl = config.openAiBaseUrl.replace(/\/+$/, '')
  // Late-bound, so a test that replaces globalThis.fetch is seen.
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init))
  const provider = createOpenAICompatible({
    name: 'openai',
    baseURL: baseUrl,
    ...(config.openAiApiKey ? { apiKey: config.openAiApiKey } : {}),
    fetch: doFetch,
    // Token accounting needs the usage chunk at the end of a stream.
    includeUsage: true,
  })
  const http: HttpSettings = { baseUrl, apiKey: config.openAiApiKey, fetch: doFetch }
  const { reasoning, embedding, vision, speech, rerank } = config.models
  const sdk: SdkModels = {
    reasoning: reasoning ? provider.chatModel(reasoning) : undefined,
    vision: vision ? provider.chatModel(vision) : undefined,
    speech: speech ? { modelId: speech, model: (language) => openAiTranscriptionModel(speech, http, language) } : undefined,
    rerank: rerank ? openAiRerankingModel(rerank, http) : undefined,
  }
  if (embedding) {
    const facts = OPENAI_EMBEDDINGS[embedding]
    const wanted = config.embeddingDimensions
    // Only OpenAI's text-embedding-3 models shorten on request; elsewhere EMBEDDING_DIMENSIONS states
    // the size the model has, and an answer of another size is reported rather than sent for.
    const shorten = wanted !== null && shortensOnRequest(embedding) && wanted !== facts?.dimensions
    sdk.embedding = {
      model: provider.embeddingModel(embedding),
      dimensions: wanted ?? facts?.dimensions ?? null,
      batchSize: facts?.batchSize ?? OPENAI_DEFAULT_BATCH,
      ...(shorten ? { providerOptions: { openai: { dimensions: wanted } } } : {}),
    }
  }
  return assembleModels('openai', sdk, options)
}
