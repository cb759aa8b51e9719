/**
 * @module The Workers AI adapter: every configured role served through the `AI` binding by
 * `workers-ai-provider`. Defaults per role are `WORKERS_AI_DEFAULTS` in config.ts.
 */
import { createWorkersAI } from 'workers-ai-provider'
import type { Config } from '../config'
import { assembleModels, embeddingSpec, type AssembleOptions, type SdkModels } from './assemble'
import { WORKERS_AI_DEFAULT_BATCH, WORKERS_AI_EMBEDDINGS } from './catalogue'
import type { Models } from './ports'

/**
 * @example
 * const models = workersAiModels(env.AI, readConfig(env))
 * await models.embedding?.embed(['a passage'])
 */
export function workersAiModels(ai: Ai, config: Pick<Config, 'models' | 'embeddingDimensions'> & Partial<Pick<Config, 'embeddingBatchSize'>>, options: AssembleOptions = {}): Models {
  return assembleModels('workers-ai', workersAiSdkModels(ai, config), options)
}

/** The AI SDK models for the roles `config.models` names, served through the binding. */
export function workersAiSdkModels(ai: Ai, config: { models: Partial<Config['models']>; embeddingDimensions: number | null; embeddingBatchSize?: number | null }): SdkModels {
  const workersai = createWorkersAI({ binding: ai })
  const { reasoning, embedding, vision, speech, rerank } = config.models
  const sdk: SdkModels = {
    reasoning: reasoning ? workersai.chat(reasoning) : undefined,
    vision: vision ? workersai.chat(vision) : undefined,
    speech: speech ? { modelId: speech, model: (language) => workersai.transcription(speech, language ? { language } : {}) } : undefined,
    rerank: rerank ? workersai.reranking(rerank) : undefined,
  }
  if (embedding) {
    const facts = WORKERS_AI_EMBEDDINGS[embedding]
    const batchSize = config.embeddingBatchSize ?? facts?.batchSize ?? WORKERS_AI_DEFAULT_BATCH
    // The provider would send up to 3,000 texts per call; the models take far fewer (PLATFORM.md §2).
    sdk.embedding = embeddingSpec(workersai.textEmbedding(embedding, { maxEmbeddingsPerCall: batchSize }), facts, { dimensions: config.embeddingDimensions, batchSize })
  }
  return sdk
}
