/**
 * @module Choosing the model adapters, once, from configuration: Workers AI through the `AI` binding,
 * an OpenAI-compatible endpoint, or none, for the provider's roles; then each role with an endpoint of
 * its own (EMBEDDING_BASE_URL, RERANK_BASE_URL, VISION_BASE_URL) served there instead. `readConfig` has already decided
 * the provider (falling back to none, with a note, when what was asked cannot work) and which roles are on.
 */
import { ENDPOINT_ROLES, type Config } from '../config'
import { assembleModels, type AssembleOptions, type SdkModels } from './assemble'
import { noModels } from './none'
import { openAiCompatibleSdkModels, type OpenAiOptions } from './openai-compatible'
import type { Models } from './ports'
import { workersAiSdkModels } from './workers-ai'

export type ModelBindings = { AI?: Ai | undefined }

/**
 * @example
 * // locally: no chat model, embeddings and rerank from the local model server
 * buildModels(readConfig({ MODEL_PROVIDER: 'none', EMBEDDING_BASE_URL: 'http://127.0.0.1:8088/v1', EMBEDDING_MODEL: 'bge-small-en-v1.5', … }), {})
 */
export function buildModels(config: Config, bindings: ModelBindings, options: AssembleOptions & OpenAiOptions = {}): Models {
  const own = new Set<string>(Object.keys(config.roleEndpoints))
  // The provider serves the roles that have no endpoint of their own.
  const providerRoles = { ...config.models, ...Object.fromEntries([...own].map((role) => [role, null])) }
  let sdk: SdkModels = {}
  if (config.provider === 'workers-ai' && bindings.AI) {
    sdk = workersAiSdkModels(bindings.AI, { models: providerRoles, embeddingDimensions: config.embeddingDimensions, embeddingBatchSize: config.embeddingBatchSize })
  } else if (config.provider === 'openai' && config.openAiBaseUrl) {
    sdk = openAiCompatibleSdkModels({ baseUrl: config.openAiBaseUrl, apiKey: config.openAiApiKey }, { models: providerRoles, embeddingDimensions: config.embeddingDimensions, embeddingBatchSize: config.embeddingBatchSize }, options)
  }
  for (const role of ENDPOINT_ROLES) {
    const endpoint = config.roleEndpoints[role]
    if (!endpoint) continue
    const served = openAiCompatibleSdkModels(endpoint, { models: { [role]: config.models[role] }, embeddingDimensions: config.embeddingDimensions, embeddingBatchSize: config.embeddingBatchSize }, options)
    if (role === 'embedding') sdk.embedding = served.embedding
    else if (role === 'rerank') sdk.rerank = served.rerank
    else sdk.vision = served.vision
  }
  if (config.provider === 'none' && !Object.values(sdk).some(Boolean)) return noModels()
  return assembleModels(config.provider, sdk, options)
}

export type { CallOptions, Embedder, Models, ReasoningModel, Reranker, RerankResult, SpeechToText, Transcript, VisionModel } from './ports'
export { ModelCallError, DEFAULT_POLICIES, resolvePolicies } from './retry'
export type { RetryPolicy } from './retry'
export { UsageMeter, toOpenAiUsage } from './usage'
export type { OpenAiOptions } from './openai-compatible'
export type { OpenAiUsage, RoleUsage } from './usage'
