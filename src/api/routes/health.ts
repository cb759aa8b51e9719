/**
 * @module `GET /health`: readiness (the database answers and its migrations are applied), which model
 * roles are on, and how search runs: hybrid while the embedding model answers, lexical when it does not.
 * Needs no token, so load balancers and `npm start` can poll it.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { MODEL_ROLES } from '../../config'
import { probeModel, type ModelStatus } from '../../models/availability'
import type { Models } from '../../models/ports'
import type { App } from '../context'
import { resourceApp } from '../resource-app'

const Role = z.object({ configured: z.boolean(), model: z.string().nullable() })
const ModelState = z.enum(['ok', 'unavailable', 'off'])
const SearchHealth = z
  .object({
    mode: z.enum(['hybrid', 'lexical']).openapi({ description: 'hybrid: keywords and embeddings fused; lexical: keywords only (no embedding model, or it does not answer)' }),
    semantic: ModelState.openapi({ description: 'The embedding model: answering, configured but not answering, or not configured' }),
    rerank: ModelState.openapi({ description: 'The reranker, likewise; without it results keep the fused order' }),
    warning: z.string().nullable().openapi({ description: 'What a configured model that does not answer costs search; null when nothing is amiss' }),
  })
  .openapi('SearchHealth', { description: 'Checked with one tiny call per model, at most every 30 seconds; a model that is down never makes /health fail' })
const Health = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    checks: z.object({ database: z.enum(['ok', 'unavailable', 'migrations_pending']) }),
    models: z.object({
      provider: z.enum(['workers-ai', 'openai', 'none']),
      note: z.string().nullable(),
      roles: z.object(Object.fromEntries(MODEL_ROLES.map((r) => [r, Role])) as Record<(typeof MODEL_ROLES)[number], typeof Role>),
    }),
    vector_store: z.enum(['vectorize', 'd1']),
    search: SearchHealth,
  })
  .openapi('Health')

const route = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Service'],
  summary: 'Readiness, configured model roles and the search mode',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: Health } } },
    503: { description: 'Not ready', content: { 'application/json': { schema: Health } } },
  },
})

async function databaseState(d1: D1Database): Promise<'ok' | 'unavailable' | 'migrations_pending'> {
  try {
    // A column the latest migration adds; its absence means they have not (all) run.
    await d1.prepare('SELECT recovered_at FROM files LIMIT 0').run()
    return 'ok'
  } catch (err) {
    return /no such (column|table)/.test(err instanceof Error ? err.message : String(err)) ? 'migrations_pending' : 'unavailable'
  }
}

type SearchState = z.infer<typeof SearchHealth>

/** The search mode the models allow right now, from a recent answer or a probe of each. */
async function searchState(models: Pick<Models, 'embedding' | 'rerank'>): Promise<SearchState> {
  const { embedding, rerank } = models
  const [semantic, reranked] = await Promise.all([
    embedding ? probeModel('embedding', embedding.modelId, (signal) => embedding.embed(['health check'], { signal })) : null,
    rerank ? probeModel('rerank', rerank.modelId, (signal) => rerank.rerank('health check', ['health check'], { signal })) : null,
  ])
  const state = (status: ModelStatus | null) => (status === null ? 'off' : status.ok ? 'ok' : 'unavailable')
  // /health needs no token: a private endpoint's address stays out of what it says.
  const why = (status: ModelStatus) => (status.detail ?? 'no answer').replace(/https?:\/\/[^\s)]*[^\s):.,]/g, 'its endpoint')
  const warnings: string[] = []
  if (embedding && semantic && !semantic.ok) warnings.push(`The embedding model "${embedding.modelId}" does not answer (${why(semantic)}); search is lexical only until it does.`)
  if (rerank && reranked && !reranked.ok) warnings.push(`The rerank model "${rerank.modelId}" does not answer (${why(reranked)}); results keep the fused order until it does.`)
  return {
    mode: semantic?.ok ? 'hybrid' : 'lexical',
    semantic: state(semantic),
    rerank: state(reranked),
    warning: warnings.length > 0 ? warnings.join(' ') : null,
  }
}

export function healthRoutes(): App {
  const app = resourceApp()
  app.openapi(route, async (c) => {
    const { config, d1, models, vectors } = c.get('deps')
    const [database, search] = await Promise.all([databaseState(d1), searchState(models)])
    // From the adapters actually built, so a role reads as on only when something serves it.
    const roles = Object.fromEntries(
      MODEL_ROLES.map((role) => [role, { configured: models[role] !== null, model: models[role]?.modelId ?? null }]),
    ) as z.infer<typeof Health>['models']['roles']
    const body = {
      status: database === 'ok' ? ('ok' as const) : ('unavailable' as const),
      checks: { database },
      models: { provider: config.provider, note: config.providerNote, roles },
      vector_store: vectors.kind,
      search,
    }
    return c.json(body, database === 'ok' ? 200 : 503)
  })
  return app
}
