/**
 * @module The audit log over HTTP: `GET /audit` pages through an org's events with filters,
 * `GET /audit/export` sends every matching event as JSON lines, `GET /audit/verify` recomputes the
 * hash chain and reports the first broken link. Who sees which events is the audit domain's rule.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { auditEventObject, seqOfAuditId } from '../../audit/event-object'
import { AUDIT_ACTIONS } from '../../audit/log'
import { auditScope, readAuditLog, type AuditQuery } from '../../audit/read'
import { verifyChain } from '../../audit/verify'
import type { App } from '../context'
import { invalid } from '../errors'
import { resourceApp } from '../resource-app'
import { bearerSecurity, errorResponses } from '../schemas'

/** An ISO 8601 time or Unix seconds, as milliseconds. */
const Time = z
  .string()
  .max(40)
  .transform((value, ctx) => {
    const ms = /^\d{1,12}$/.test(value) ? Number(value) * 1000 : Date.parse(value)
    if (!Number.isFinite(ms)) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 time (2026-12-01T00:00:00Z) or Unix seconds' })
      return z.NEVER
    }
    return ms
  })

const Filters = z.object({
  org: z.string().min(1).max(100).optional().openapi({ description: 'The org, by id or name: required with the admin token' }),
  action: z
    .string()
    .max(1000)
    .optional()
    .transform((value, ctx) => {
      if (value === undefined) return undefined
      const actions = value.split(',').map((a) => a.trim()).filter(Boolean)
      const unknown = actions.filter((a) => !(AUDIT_ACTIONS as readonly string[]).includes(a))
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `unknown action ${unknown.map((a) => `"${a}"`).join(', ')}; actions are ${AUDIT_ACTIONS.join(', ')}` })
        return z.NEVER
      }
      return actions
    })
    .openapi({ description: 'Only these actions, comma-separated', example: 'file.deleted,token.created' }),
  actor: z.string().min(1).max(320).optional().openapi({ description: "The acting user's id or email" }),
  workspace: z.string().min(1).max(100).optional(),
  target: z.string().min(1).max(200).optional().openapi({ description: 'A file, token, user or completion id' }),
  since: Time.optional().openapi({ type: 'string', description: 'From this time on (ISO 8601 or Unix seconds)' }),
  until: Time.optional().openapi({ type: 'string', description: 'Up to this time' }),
})

const AuditEvent = z
  .object({
    object: z.literal('audit.event'),
    id: z.string(),
    org_id: z.string(),
    seq: z.number().int(),
    created_at: z.string(),
    at_ms: z.number().int(),
    actor: z.object({ kind: z.enum(['user', 'admin', 'system']), id: z.string(), email: z.string().nullable() }),
    action: z.string(),
    workspace: z.string().nullable(),
    target: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
    prev_hash: z.string().nullable().openapi({ description: "The hash of the event before it (the chain's anchor for the first); null only for an event written a moment ago and not sealed yet" }),
    hash: z.string().nullable().openapi({ description: "SHA-256 of the event's columns and prev_hash (src/audit/chain.ts)" }),
  })
  .openapi('AuditEvent')

const listRoute = createRoute({
  method: 'get',
  path: '/audit',
  tags: ['Audit'],
  summary: "List an org's audit events",
  description:
    "Security-relevant events (sign-ins, tokens, members, workspaces, files, metadata) and every answer (who asked, the question, the answer's SHA-256, the chunks and pages cited, the model ids), hash-chained per org. A user sees what they did and every event of the workspaces they administer; the admin token sees any org's whole log.",
  security: bearerSecurity,
  request: {
    query: Filters.extend({
      after: z.string().max(40).optional().openapi({ description: 'The id of the last event of the previous page' }),
      order: z.enum(['asc', 'desc']).default('desc'),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
  },
  responses: {
    200: {
      description: 'A page of events',
      content: {
        'application/json': {
          schema: z.object({ object: z.literal('list'), data: z.array(AuditEvent), first_id: z.string().nullable(), last_id: z.string().nullable(), has_more: z.boolean() }),
        },
      },
    },
    ...errorResponses(400, 401, 404, 422, 429, 503),
  },
})

const exportRoute = createRoute({
  method: 'get',
  path: '/audit/export',
  tags: ['Audit'],
  summary: 'Export audit events as JSON lines',
  description: 'Every event the filters match, oldest first, one JSON object a line (the same objects as `GET /audit`).',
  security: bearerSecurity,
  request: { query: Filters },
  responses: {
    200: { description: 'JSON lines', content: { 'application/x-ndjson': { schema: z.string() } } },
    ...errorResponses(400, 401, 404, 422, 429, 503),
  },
})

const verifyRoute = createRoute({
  method: 'get',
  path: '/audit/verify',
  tags: ['Audit'],
  summary: "Verify an org's audit chain",
  description:
    "Recomputes every event's hash and every link from the oldest kept event to the chain's head, and reports the first broken link: an event edited, removed or reordered after it was written. Any user of the org may verify it; the admin token names the org.",
  security: bearerSecurity,
  request: { query: z.object({ org: Filters.shape.org }) },
  responses: {
    200: {
      description: 'The verdict',
      content: {
        'application/json': {
          schema: z.object({
            object: z.literal('audit.verification'),
            org_id: z.string(),
            ok: z.boolean(),
            events_checked: z.number().int(),
            first_seq: z.number().int().nullable(),
            last_seq: z.number().int().nullable(),
            broken: z.object({ seq: z.number().int(), reason: z.string() }).nullable(),
          }),
        },
      },
    },
    ...errorResponses(400, 401, 404, 422, 429, 503),
  },
})

function cursor(after: string | undefined): number | undefined {
  if (after === undefined) return undefined
  const seq = seqOfAuditId(after)
  if (seq === null) throw invalid(`after must be an audit event id such as "audit-42"; got "${after}".`, 'after')
  return seq
}

type FilterInput = z.output<typeof Filters>
const queryOf = (q: FilterInput): Omit<AuditQuery, 'order' | 'limit'> => ({
  org: q.org,
  actions: q.action,
  actor: q.actor,
  workspace: q.workspace,
  target: q.target,
  sinceMs: q.since,
  untilMs: q.until,
})

const EXPORT_PAGE = 500

/** The routes under `/audit`. */
export function auditRoutes(): App {
  const app = resourceApp()
  app.openapi(listRoute, async (c) => {
    const q = c.req.valid('query')
    const { events, hasMore } = await readAuditLog(c.get('deps').db, c.get('principal'), { ...queryOf(q), afterSeq: cursor(q.after), order: q.order, limit: q.limit })
    const data = events.map(auditEventObject)
    return c.json({ object: 'list' as const, data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: hasMore }, 200)
  })

  app.openapi(exportRoute, async (c) => {
    const { db } = c.get('deps')
    const principal = c.get('principal')
    const query = queryOf(c.req.valid('query'))
    // The first page is read before answering, so a refusal is an error response, not a broken stream.
    let page = await readAuditLog(db, principal, { ...query, order: 'asc', limit: EXPORT_PAGE })
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        controller.enqueue(encoder.encode(page.events.map((row) => `${JSON.stringify(auditEventObject(row))}\n`).join('')))
        if (!page.hasMore) return controller.close()
        page = await readAuditLog(db, principal, { ...query, order: 'asc', limit: EXPORT_PAGE, afterSeq: page.events.at(-1)!.seq })
      },
    })
    return c.body(body, 200, { 'Content-Type': 'application/x-ndjson; charset=utf-8', 'Content-Disposition': 'attachment; filename="audit.jsonl"' }) as never
  })

  app.openapi(verifyRoute, async (c) => {
    const { db } = c.get('deps')
    const { orgId } = await auditScope(db, c.get('principal'), c.req.valid('query').org)
    const report = await verifyChain(db, orgId)
    return c.json(
      {
        object: 'audit.verification' as const,
        org_id: orgId,
        ok: report.ok,
        events_checked: report.eventsChecked,
        first_seq: report.firstSeq,
        last_seq: report.lastSeq,
        broken: report.broken,
      },
      200,
    )
  })
  return app
}
