import { describe, expect, it } from 'vitest'
import { readConfig, type AppEnv } from '../config'
import { buildModels } from './index'
import { UsageMeter } from './usage'

const envOf = (vars: Record<string, string>, bindings: { AI?: Ai } = {}) => ({ ...vars, ...bindings }) as unknown as AppEnv
const fakeAi = { run: async () => ({}) } as unknown as Ai

describe('buildModels chooses the adapter once, from configuration', () => {
  it('gives no models with provider none, whatever models are named', () => {
    const config = readConfig(envOf({ MODEL_PROVIDER: 'none', EMBEDDING_MODEL: 'x' }))
    const models = buildModels(config, {})
    expect(models.provider).toBe('none')
    expect(models.embedding).toBeNull()
    expect(models.metered(new UsageMeter())).toBe(models)
  })

  it('serves exactly the OpenAI-compatible roles that are configured', () => {
    const config = readConfig(envOf({ MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1', EMBEDDING_MODEL: 'nomic-embed-text', RERANK_MODEL: 'bge-reranker' }))
    const models = buildModels(config, {})
    expect(models.provider).toBe('openai')
    expect(models.embedding?.modelId).toBe('nomic-embed-text')
    expect(models.rerank?.modelId).toBe('bge-reranker')
    expect([models.reasoning, models.vision, models.speech]).toEqual([null, null, null])
  })

  it('uses Workers AI defaults for every role when the binding exists, and an empty variable turns a role off', () => {
    const config = readConfig(envOf({ MODEL_PROVIDER: 'workers-ai', SPEECH_MODEL: '' }, { AI: fakeAi }))
    const models = buildModels(config, { AI: fakeAi })
    expect(models.provider).toBe('workers-ai')
    expect(models.reasoning?.modelId).toBe('@cf/qwen/qwen3-30b-a3b-fp8')
    expect(models.embedding?.dimensions).toBe(768)
    expect(models.speech).toBeNull()
  })

  it('falls back to none when Workers AI is asked for without its binding', () => {
    const config = readConfig(envOf({ MODEL_PROVIDER: 'workers-ai' }))
    expect(buildModels(config, {}).provider).toBe('none')
  })

  it('takes the embedding size from EMBEDDING_DIMENSIONS, and OpenAI sizes it knows', () => {
    const base = { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }
    expect(buildModels(readConfig(envOf({ ...base, EMBEDDING_MODEL: 'text-embedding-3-small' })), {}).embedding?.dimensions).toBe(1536)
    expect(buildModels(readConfig(envOf({ ...base, EMBEDDING_MODEL: 'text-embedding-3-small', EMBEDDING_DIMENSIONS: '512' })), {}).embedding?.dimensions).toBe(512)
    expect(buildModels(readConfig(envOf({ ...base, EMBEDDING_MODEL: 'something-local' })), {}).embedding?.dimensions).toBeNull()
  })
})

describe('buildModels serves a role with its own endpoint there, beside the provider', () => {
  const local = { EMBEDDING_BASE_URL: 'http://127.0.0.1:1/v1', EMBEDDING_MODEL: 'bge-small-en-v1.5', RERANK_BASE_URL: 'http://127.0.0.1:1/v1', RERANK_MODEL: 'ms-marco-MiniLM-L-6-v2' }

  it('gives the vision role from its endpoint, knowing an OCR engine reads text only', () => {
    const ocr = buildModels(readConfig(envOf({ ...local, VISION_BASE_URL: 'http://127.0.0.1:8088/v1', VISION_MODEL: 'tesseract-eng' })), {})
    expect(ocr.provider).toBe('none')
    expect(ocr.vision).toMatchObject({ modelId: 'tesseract-eng', readsTextOnly: true })
    expect(ocr.embedding?.modelId).toBe('bge-small-en-v1.5')
    const vlm = buildModels(readConfig(envOf({ MODEL_PROVIDER: 'workers-ai' }, { AI: fakeAi })), { AI: fakeAi })
    expect(vlm.vision).toMatchObject({ modelId: '@cf/meta/llama-4-scout-17b-16e-instruct', readsTextOnly: false })
  })

  it('gives an embedder and a reranker with provider none, and nothing else', () => {
    const models = buildModels(readConfig(envOf({ MODEL_PROVIDER: 'none', ...local })), {})
    expect(models.provider).toBe('none')
    expect(models.embedding).toMatchObject({ modelId: 'bge-small-en-v1.5', dimensions: 384, batchSize: 32 })
    expect(models.rerank?.modelId).toBe('ms-marco-MiniLM-L-6-v2')
    expect([models.reasoning, models.vision, models.speech]).toEqual([null, null, null])
    expect(models.metered(new UsageMeter()).embedding?.modelId).toBe('bge-small-en-v1.5')
  })

  it('sends EMBEDDING_BATCH_SIZE texts per request when it is set, over the model’s own batch size', () => {
    const models = buildModels(readConfig(envOf({ MODEL_PROVIDER: 'none', ...local, EMBEDDING_BATCH_SIZE: '8' })), {})
    expect(models.embedding).toMatchObject({ modelId: 'bge-small-en-v1.5', batchSize: 8 })
    const unknown = buildModels(readConfig(envOf({ MODEL_PROVIDER: 'none', ...local, EMBEDDING_MODEL: 'something-local', EMBEDDING_BATCH_SIZE: '5' })), {})
    expect(unknown.embedding?.batchSize).toBe(5)
    // Not a positive integer: the model's own size.
    expect(buildModels(readConfig(envOf({ MODEL_PROVIDER: 'none', ...local, EMBEDDING_BATCH_SIZE: 'lots' })), {}).embedding?.batchSize).toBe(32)
  })

  it('mixes Workers AI chat with an embedding server of one’s own', () => {
    const config = readConfig(envOf({ EMBEDDING_BASE_URL: 'https://embed.example/v1', EMBEDDING_MODEL: 'intfloat/e5-small-v2' }, { AI: fakeAi }))
    const models = buildModels(config, { AI: fakeAi })
    expect(models.provider).toBe('workers-ai')
    expect(models.reasoning?.modelId).toBe('@cf/qwen/qwen3-30b-a3b-fp8')
    expect(models.rerank?.modelId).toBe('@cf/baai/bge-reranker-base')
    expect(models.embedding).toMatchObject({ modelId: 'intfloat/e5-small-v2', dimensions: 384 })
  })

  it('knows the local models’ sizes, and lets EMBEDDING_DIMENSIONS say otherwise', () => {
    const size = (vars: Record<string, string>) => buildModels(readConfig(envOf({ MODEL_PROVIDER: 'none', EMBEDDING_BASE_URL: 'http://127.0.0.1:1/v1', ...vars })), {}).embedding?.dimensions
    expect(size({ EMBEDDING_MODEL: 'all-MiniLM-L6-v2' })).toBe(384)
    expect(size({ EMBEDDING_MODEL: 'sentence-transformers/all-MiniLM-L6-v2' })).toBe(384)
    expect(size({ EMBEDDING_MODEL: 'BAAI/bge-base-en-v1.5' })).toBe(768)
    expect(size({ EMBEDDING_MODEL: 'bge-small-en-v1.5', EMBEDDING_DIMENSIONS: '256' })).toBe(256)
    expect(size({ EMBEDDING_MODEL: 'something-local' })).toBeNull()
  })

  it('gives no embedder when the endpoint’s model is not named, and the reranker whose model is', () => {
    const models = buildModels(readConfig(envOf({ MODEL_PROVIDER: 'none', EMBEDDING_BASE_URL: 'http://127.0.0.1:1/v1', RERANK_BASE_URL: 'http://127.0.0.1:1/v1', RERANK_MODEL: 'bge-reranker-base' })), {})
    expect(models.embedding).toBeNull()
    expect(models.rerank?.modelId).toBe('bge-reranker-base')
  })
})
