import { describe, expect, it } from 'vitest'
import { readConfig, type AppEnv } from './config'

const stallMs = (value?: string) => readConfig({ INGEST_STALL_SECONDS: value } as unknown as AppEnv).ingestStallMs

describe('INGEST_STALL_SECONDS', () => {
  it('defaults to 20 minutes, longer than a queued message may wait for its retry', () => {
    expect(stallMs()).toBe(20 * 60 * 1000)
    expect(stallMs('')).toBe(20 * 60 * 1000)
    expect(stallMs('soon')).toBe(20 * 60 * 1000)
  })

  it('takes seconds, but never less than a minute, so a working message always beats in time', () => {
    expect(stallMs('120')).toBe(120_000)
    expect(stallMs('5')).toBe(60_000)
  })
})

describe('a role with an endpoint of its own', () => {
  const config = (vars: Record<string, string>, bindings: { AI?: unknown } = {}) => readConfig({ ...vars, ...bindings } as unknown as AppEnv)
  const local = { EMBEDDING_BASE_URL: ' http://127.0.0.1:8088/v1 ', EMBEDDING_MODEL: 'bge-small-en-v1.5', RERANK_BASE_URL: 'http://127.0.0.1:8088/v1', RERANK_MODEL: 'ms-marco-MiniLM-L-6-v2' }

  it('serves embeddings and rerank from their endpoints while the provider is none', () => {
    const c = config({ MODEL_PROVIDER: 'none', ...local, EMBEDDING_DIMENSIONS: '384', REASONING_MODEL: 'ignored' })
    expect(c.provider).toBe('none')
    expect(c.providerNote).toBeNull()
    expect(c.models).toEqual({ reasoning: null, embedding: 'bge-small-en-v1.5', vision: null, speech: null, rerank: 'ms-marco-MiniLM-L-6-v2' })
    expect(c.roleEndpoints).toEqual({ embedding: { baseUrl: 'http://127.0.0.1:8088/v1', apiKey: null }, rerank: { baseUrl: 'http://127.0.0.1:8088/v1', apiKey: null } })
    expect(c.embeddingDimensions).toBe(384)
  })

  it('serves the vision role from its own endpoint too (the local OCR), with its key', () => {
    const c = config({ ...local, VISION_BASE_URL: 'http://127.0.0.1:8088/v1', VISION_MODEL: 'tesseract-eng', VISION_API_KEY: 'sk-ocr' })
    expect(c.provider).toBe('none')
    expect(c.models.vision).toBe('tesseract-eng')
    expect(c.roleEndpoints.vision).toEqual({ baseUrl: 'http://127.0.0.1:8088/v1', apiKey: 'sk-ocr' })
    const unnamed = config({ ...local, VISION_BASE_URL: 'http://127.0.0.1:8088/v1' })
    expect(unnamed.models.vision).toBeNull()
    expect(unnamed.providerNote).toBe('VISION_BASE_URL is set but VISION_MODEL is not, so the vision role is off')
  })

  it('takes each endpoint’s own key, apart from OPENAI_API_KEY', () => {
    const c = config({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: 'https://api.example/v1', OPENAI_API_KEY: 'sk-chat', REASONING_MODEL: 'gpt-x', ...local, EMBEDDING_API_KEY: 'sk-embed' })
    expect(c.openAiApiKey).toBe('sk-chat')
    expect(c.roleEndpoints.embedding).toEqual({ baseUrl: 'http://127.0.0.1:8088/v1', apiKey: 'sk-embed' })
    expect(c.roleEndpoints.rerank?.apiKey).toBeNull()
    expect(c.models.reasoning).toBe('gpt-x')
  })

  it('keeps Workers AI defaults for the other roles, and the endpoint’s model for its own', () => {
    const c = config({ EMBEDDING_BASE_URL: 'https://embed.example/v1', EMBEDDING_MODEL: 'e5-small-v2' }, { AI: {} })
    expect(c.provider).toBe('workers-ai')
    expect(c.models.reasoning).toBe('@cf/qwen/qwen3-30b-a3b-fp8')
    expect(c.models.rerank).toBe('@cf/baai/bge-reranker-base')
    expect(c.models.embedding).toBe('e5-small-v2')
    expect(Object.keys(c.roleEndpoints)).toEqual(['embedding'])
  })

  it('turns the role off with a note when its model is not named, rather than send the provider’s default', () => {
    const c = config({ EMBEDDING_BASE_URL: 'http://127.0.0.1:8088/v1', RERANK_BASE_URL: 'http://127.0.0.1:8088/v1', RERANK_MODEL: ' ' }, { AI: {} })
    expect(c.models.embedding).toBeNull()
    expect(c.models.rerank).toBeNull()
    expect(c.roleEndpoints).toEqual({})
    expect(c.providerNote).toBe('EMBEDDING_BASE_URL is set but EMBEDDING_MODEL is not, so the embedding role is off; RERANK_BASE_URL is set but RERANK_MODEL is not, so the rerank role is off')
  })

  it('adds its note to the provider’s own', () => {
    const c = config({ MODEL_PROVIDER: 'openai', EMBEDDING_BASE_URL: 'http://127.0.0.1:8088/v1' })
    expect(c.providerNote).toBe('MODEL_PROVIDER is openai but OPENAI_BASE_URL is not set; EMBEDDING_BASE_URL is set but EMBEDDING_MODEL is not, so the embedding role is off')
  })

  it('is ignored when empty, as if unset', () => {
    const c = config({ MODEL_PROVIDER: 'none', EMBEDDING_BASE_URL: '  ', EMBEDDING_MODEL: 'bge-small-en-v1.5' })
    expect(c.roleEndpoints).toEqual({})
    expect(c.models.embedding).toBeNull()
    expect(c.providerNote).toBeNull()
  })
})
