/**
 * @module The adapter for no models at all: every role off. Search is then lexical only and `l0`
 * answers extractively, saying so.
 */
import type { Models } from './ports'

export function noModels(): Models {
  const models: Models = {
    provider: 'none',
    reasoning: null,
    embedding: null,
    vision: null,
    speech: null,
    rerank: null,
    metered: () => models,
  }
  return models
}
