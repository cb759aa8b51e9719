import { describe, expect, it } from 'vitest'
import { openAiCompatibleEmbeddingFacts } from './catalogue'

describe('openAiCompatibleEmbeddingFacts', () => {
  it('knows the local models by their name, with or without owner, case aside', () => {
    expect(openAiCompatibleEmbeddingFacts('bge-small-en-v1.5')).toMatchObject({ dimensions: 384, queryPrefix: 'Represent this sentence for searching relevant passages: ' })
    expect(openAiCompatibleEmbeddingFacts('BAAI/bge-small-en-v1.5')?.passagePrefix).toBeUndefined()
    expect(openAiCompatibleEmbeddingFacts('sentence-transformers/all-MiniLM-L6-v2')).toEqual({ dimensions: 384, batchSize: 32 })
    expect(openAiCompatibleEmbeddingFacts('intfloat/e5-small-v2')).toMatchObject({ dimensions: 384, queryPrefix: 'query: ', passagePrefix: 'passage: ' })
  })

  it('knows OpenAI’s models by their exact id only, and nothing of the rest', () => {
    expect(openAiCompatibleEmbeddingFacts('text-embedding-3-small')?.dimensions).toBe(1536)
    expect(openAiCompatibleEmbeddingFacts('nomic-embed-text')).toBeUndefined()
  })
})
