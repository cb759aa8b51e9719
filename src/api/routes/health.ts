/**
 * @module `GET /health`: readiness (the database answers and its migrations are applied)
 * and which model roles are on. Needs no token, so load balancers and `npm start` can poll it.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { MODEL_ROLES } from '../../config'
import type { App } from '../context'

const Role = z.object({ configured: z.boolean(), model: z.string().nullable() })
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
  })
  .openapi('Health')

const route = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Service'],
  summary: 'Readiness and configured model roles',
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

export function registerHealthRoute(app: App): void {
  app.openapi(route, async (c) => {
    const { config, d1, models, vectors } = c.get('deps')
    const database = await databaseState(d1)
    // From the adapters actually built, so a role reads as on only when something serves it.
    const roles = Object.fromEntries(
      MODEL_ROLES.map((role) => [role, { configured: models[role] !== null, model: models[role]?.modelId ?? null }]),
    ) as z.infer<typeof Health>['models']['roles']
    const body = {
      status: database === 'ok' ? ('ok' as const) : ('unavailable' as const),
      checks: { database },
      models: { provider: config.provider, note: config.providerNote, roles },
      vector_store: vectors.kind,
    }
    return c.json(body, database === 'ok' ? 200 : 503)
  })
}
