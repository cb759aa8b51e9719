/**
 * @module Cairn's configuration, read once from the Worker's vars and secrets.
 * Everything below the composition root receives a `Config`, never `env`.
 */
import { readAccessConfig, type AccessConfig } from './tenancy/access-config'

/** Vars and secrets that wrangler.toml does not declare (set in `.dev.vars` or with `wrangler secret put`). */
export type Secrets = {
  ADMIN_TOKEN?: string
  MODEL_PROVIDER?: string
  OPENAI_BASE_URL?: string
  OPENAI_API_KEY?: string
  REASONING_MODEL?: string
  EMBEDDING_MODEL?: string
  EMBEDDING_DIMENSIONS?: string
  EMBEDDING_BATCH_SIZE?: string
  VISION_MODEL?: string
  SPEECH_MODEL?: string
  RERANK_MODEL?: string
  /** An OpenAI-compatible endpoint for embeddings alone, whatever MODEL_PROVIDER serves the other roles. */
  EMBEDDING_BASE_URL?: string
  EMBEDDING_API_KEY?: string
  /** An endpoint serving `POST /rerank` for reranking alone. */
  RERANK_BASE_URL?: string
  RERANK_API_KEY?: string
  /** An OpenAI-compatible chat endpoint for the vision role alone (locally: the local server's OCR). */
  VISION_BASE_URL?: string
  VISION_API_KEY?: string
  MAX_FILE_BYTES?: string
  /** Pages one ingest message reads; bigger PDFs fan out. */
  PAGES_PER_MESSAGE?: string
  /** PDF pages per file a vision model may read (scans and figures); 0 turns page reading off. */
  VISION_PAGES_PER_FILE?: string
  /** Seconds without progress after which a file still `uploaded` or `processing` is queued again (ingest Worker). */
  INGEST_STALL_SECONDS?: string
  /** 32 random bytes, base64: the key sources' credentials are sealed with. Both Workers need the same one. */
  SOURCE_SECRETS_KEY?: string
  /** `true` lets a web source crawl loopback addresses (set for `npm start` and tests, never deployed). */
  SOURCES_ALLOW_LOOPBACK?: string
  /** The period of the `[[ratelimits]]` bindings, in seconds; a refused request's Retry-After. */
  RATE_LIMIT_PERIOD_SECONDS?: string
  /** Days the audit log keeps an event (ingest Worker's cron removes older ones); unset: kept forever. */
  AUDIT_RETENTION_DAYS?: string
  /** How many IndexShard objects a new workspace's chunks are dealt over (search/shards/); unset or 0: D1's own tables. */
  INDEX_SHARDS?: string
  /** Cloudflare Access sign-in (tenancy/access-config.ts): the team's address, e.g. `https://acme.cloudflareaccess.com`. */
  ACCESS_TEAM_DOMAIN?: string
  /** The Access application's audience (AUD) tag; several, comma-separated. */
  ACCESS_AUD?: string
  /** Which org a new email joins on first sign-in: `example.com=acme, example.org=acme-eu`, `*=org` for any domain. */
  ACCESS_ORG_RULES?: string
}

/** The generated `Env` (whose remote-only `AI` and `VECTORS` are optional) plus the undeclared vars. */
export type AppEnv = Omit<Env, keyof Secrets> & Secrets

export const MODEL_ROLES = ['reasoning', 'embedding', 'vision', 'speech', 'rerank'] as const
export type ModelRole = (typeof MODEL_ROLES)[number]
export type ModelProvider = 'workers-ai' | 'openai' | 'none'

/** The roles that may have an endpoint of their own (`EMBEDDING_BASE_URL`, `RERANK_BASE_URL`, `VISION_BASE_URL`). */
export const ENDPOINT_ROLES = ['embedding', 'rerank', 'vision'] as const
export type EndpointRole = (typeof ENDPOINT_ROLES)[number]

/** An OpenAI-compatible endpoint: its base URL (ending in `/v1` as a rule) and the bearer token it wants, if any. */
export type Endpoint = { baseUrl: string; apiKey: string | null }

/** Shards one workspace's index may be dealt over: a question asks every one of them. */
export const MAX_INDEX_SHARDS = 64

export type Config = {
  adminToken: string | null
  provider: ModelProvider
  /** Why the provider, or a role with its own endpoint, is not what was asked (sentences joined). */
  providerNote: string | null
  models: Record<ModelRole, string | null>
  /**
   * Roles served by an endpoint of their own instead of `provider`: locally, embeddings, rerank and
   * OCR from the local model server while chat has none; deployed, Workers AI chat beside a team's own
   * embedding server. A role listed here has its model in `models` (its variable is required).
   */
  roleEndpoints: Partial<Record<EndpointRole, Endpoint>>
  openAiBaseUrl: string | null
  /** Sent as a bearer token to `openAiBaseUrl`; many self-hosted servers need none. */
  openAiApiKey: string | null
  embeddingDimensions: number | null
  /**
   * Texts per embedding request, when set; else the model's own batch size (catalogue.ts). A server on
   * CPU (the local model server) answers a small batch well inside the embedding deadline.
   */
  embeddingBatchSize: number | null
  maxFileBytes: number
  /** Pages per ingest message, when set; else the parser limits' default. */
  pagesPerMessage: number | null
  /** PDF pages per file sent to the vision model; bounds what perception spends on one file. */
  visionPagesPerFile: number
  /** Milliseconds without progress after which the ingest sweep treats a file as stalled. */
  ingestStallMs: number
  /** The key that seals sources' credentials (base64, 32 bytes); null: sources with credentials cannot be added. */
  sourceSecretsKey: string | null
  /** Whether a web source may reach loopback addresses (local runs); private ones are refused either way. */
  sourcesAllowLoopback: boolean
  /** The rate limit bindings' period: how long a refused caller is told to wait. */
  rateLimitPeriodSeconds: number
  /** Days audit events are kept; null: forever. */
  auditRetentionDays: number | null
  /** Shards of a new workspace's index; 0: D1's own tables (docs/scale.md). */
  indexShards: number
  /** Sign-in through Cloudflare Access, when its settings are set and valid; null otherwise. */
  access: AccessConfig | null
  /** Why Access is off although some of its settings are set; null when nothing is amiss. */
  accessProblem: string | null
}

/**
 * Defaults per role from the Workers AI catalogue; each can be overridden or emptied to turn it off.
 * reasoning: qwen3-30b-a3b is flagged for function calling and reasoning, 32k context, and streams
 * (gpt-oss-120b does not stream through the binding; llama-3.3-70b has 24k context). embedding:
 * bge-base-en-v1.5, 768 dimensions, the size `npm run deploy` gives the Vectorize index. vision:
 * llama-4-scout, images and tools, 131k context. speech: whisper-large-v3-turbo, with segments.
 * rerank: bge-reranker-base, the catalogue's reranker.
 */
export const WORKERS_AI_DEFAULTS: Record<ModelRole, string> = {
  reasoning: '@cf/qwen/qwen3-30b-a3b-fp8',
  embedding: '@cf/baai/bge-base-en-v1.5',
  vision: '@cf/meta/llama-4-scout-17b-16e-instruct',
  speech: '@cf/openai/whisper-large-v3-turbo',
  rerank: '@cf/baai/bge-reranker-base',
}

const ENDPOINT_VARS: Record<EndpointRole, { url: keyof Secrets; key: keyof Secrets }> = {
  embedding: { url: 'EMBEDDING_BASE_URL', key: 'EMBEDDING_API_KEY' },
  rerank: { url: 'RERANK_BASE_URL', key: 'RERANK_API_KEY' },
  vision: { url: 'VISION_BASE_URL', key: 'VISION_API_KEY' },
}

const ROLE_VARS: Record<ModelRole, keyof Secrets> = {
  reasoning: 'REASONING_MODEL',
  embedding: 'EMBEDDING_MODEL',
  vision: 'VISION_MODEL',
  speech: 'SPEECH_MODEL',
  rerank: 'RERANK_MODEL',
}

const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024
/** Enough for a short scanned document or a figure-heavy paper; a 300-page scan reads its first 20. */
const DEFAULT_VISION_PAGES_PER_FILE = 20
/**
 * A working message stamps its file as it goes, but a queued one does not: it may wait behind a big
 * upload or back off between retries (up to 5 minutes), so deployed a file is stalled only after 20
 * quiet minutes. `npm start` sets 120 s, where a stopped runtime has lost its queue for sure.
 */
const DEFAULT_INGEST_STALL_SECONDS = 20 * 60
/** The longer of the two periods the Rate Limiting binding offers (10 or 60 s), as wrangler.toml sets it. */
const DEFAULT_RATE_LIMIT_PERIOD_SECONDS = 60
/** A working message stamps its file every 30 s (HEARTBEAT_MS); a threshold must leave room for a late beat. */
const MIN_INGEST_STALL_SECONDS = 60

export function readConfig(env: AppEnv): Config {
  const { provider, note } = chooseProvider(env)
  const { access, problem: accessProblem } = readAccessConfig(env)
  const models = {} as Record<ModelRole, string | null>
  for (const role of MODEL_ROLES) {
    const value = env[ROLE_VARS[role]]
    // An explicitly empty value turns the role off; an absent one takes the provider's default.
    const chosen = value !== undefined ? value.trim() : provider === 'workers-ai' ? WORKERS_AI_DEFAULTS[role] : ''
    models[role] = provider === 'none' || chosen === '' ? null : chosen
  }
  const notes = note ? [note] : []
  const roleEndpoints: Config['roleEndpoints'] = {}
  for (const role of ENDPOINT_ROLES) {
    const baseUrl = env[ENDPOINT_VARS[role].url]?.trim()
    if (!baseUrl) continue
    // The provider's default would name a model the endpoint does not serve: the model must be named.
    const model = env[ROLE_VARS[role]]?.trim()
    if (!model) {
      models[role] = null
      notes.push(`${ENDPOINT_VARS[role].url} is set but ${ROLE_VARS[role]} is not, so the ${role} role is off`)
      continue
    }
    models[role] = model
    roleEndpoints[role] = { baseUrl, apiKey: env[ENDPOINT_VARS[role].key]?.trim() || null }
  }
  return {
    adminToken: env.ADMIN_TOKEN?.trim() || null,
    provider,
    providerNote: notes.length > 0 ? notes.join('; ') : null,
    models,
    roleEndpoints,
    openAiBaseUrl: env.OPENAI_BASE_URL?.trim() || null,
    openAiApiKey: env.OPENAI_API_KEY?.trim() || null,
    embeddingDimensions: positiveInt(env.EMBEDDING_DIMENSIONS),
    embeddingBatchSize: positiveInt(env.EMBEDDING_BATCH_SIZE),
    maxFileBytes: positiveInt(env.MAX_FILE_BYTES) ?? DEFAULT_MAX_FILE_BYTES,
    pagesPerMessage: positiveInt(env.PAGES_PER_MESSAGE),
    visionPagesPerFile: env.VISION_PAGES_PER_FILE?.trim() === '0' ? 0 : (positiveInt(env.VISION_PAGES_PER_FILE) ?? DEFAULT_VISION_PAGES_PER_FILE),
    ingestStallMs: Math.max(MIN_INGEST_STALL_SECONDS, positiveInt(env.INGEST_STALL_SECONDS) ?? DEFAULT_INGEST_STALL_SECONDS) * 1000,
    sourceSecretsKey: env.SOURCE_SECRETS_KEY?.trim() || null,
    sourcesAllowLoopback: env.SOURCES_ALLOW_LOOPBACK === 'true',
    rateLimitPeriodSeconds: positiveInt(env.RATE_LIMIT_PERIOD_SECONDS) ?? DEFAULT_RATE_LIMIT_PERIOD_SECONDS,
    auditRetentionDays: positiveInt(env.AUDIT_RETENTION_DAYS),
    indexShards: Math.min(positiveInt(env.INDEX_SHARDS) ?? 0, MAX_INDEX_SHARDS),
    access,
    accessProblem,
  }
}

function chooseProvider(env: AppEnv): { provider: ModelProvider; note: string | null } {
  const asked = env.MODEL_PROVIDER?.trim().toLowerCase() || (env.AI ? 'workers-ai' : 'none')
  if (asked === 'none') return { provider: 'none', note: null }
  if (asked === 'openai') {
    if (!env.OPENAI_BASE_URL?.trim()) {
      return { provider: 'none', note: 'MODEL_PROVIDER is openai but OPENAI_BASE_URL is not set' }
    }
    return { provider: 'openai', note: null }
  }
  if (asked === 'workers-ai') {
    if (!env.AI) return { provider: 'none', note: 'MODEL_PROVIDER is workers-ai but the AI binding is absent (local runs have none)' }
    return { provider: 'workers-ai', note: null }
  }
  return { provider: 'none', note: `MODEL_PROVIDER "${asked}" is not one of workers-ai, openai, none` }
}

function positiveInt(value: string | undefined): number | null {
  if (value === undefined || value.trim() === '') return null
  const n = Number(value)
  return Number.isInteger(n) && n > 0 ? n : null
}
