/**
 * @module Choosing the model adapter, once, from configuration: Workers AI through the `AI` binding,
 * an OpenAI-compatible endpoint, or none. `readConfig` has already decided the provider (falling back
 * to none, with a note, when what was asked cannot work) and which roles are on.
 */
import type { Config } from '../config'
import type { AssembleOptions } from './assemble'
import { noModels } from './none'
import { openAiCompatibleModels, type OpenAiOptions } from './openai-compatible'
import type { Models } from './ports'
import { workersAiModels } from './workers-ai'

export type ModelBindings = { AI?: Ai | undefined }

export function buildModels(config: Config, bindings: ModelBindings, options: AssembleOptions & OpenAiOptions = {}): Models {
  if (config.provider === 'workers-ai' && bindings.AI) return workersAiModels(bindings.AI, config, options)
  if (config.provider === 'openai' && config.openAiBaseUrl) return openAiCompatibleModels(config, options)
  return noModels()
}

export type { CallOptions, Embedder, Models, ReasoningModel, Reranker, RerankResult, SpeechToText, Transcript, VisionModel } from './ports'
export { ModelCallError, DEFAULT_POLICIES, resolvePolicies } from './retry'
export type { RetryPolicy } from './retry'
export { UsageMeter, toOpenAiUsage } from './usage'
export type { OpenAiUsage, RoleUsage } from './usage'
