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
