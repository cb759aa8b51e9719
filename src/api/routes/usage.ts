/**
 * @module `GET /usage` over HTTP: the query's shape, and the report as JSON. Who may see whose usage,
 * and which periods make sense, are the usage domain's rules (src/usage).
 */
import { createRoute, z } from '@hono/zod-openapi'
import { MEASURES, type Measures } from '../../usage/measures'
import { DEFAULT_DAYS, MAX_DAYS } from '../../usage/period'
import { GROUP_KEYS, usageReport, type GroupKey, type UsageReport } from '../../usage/report'
import { resourceApp } from '../resource-app'
import { bearerSecurity, errorResponses, WorkspaceId } from '../schemas'
import type { App } from '../context'

const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day written YYYY-MM-DD (UTC)')
  .optional()

const GROUP_BY = new RegExp(`^(${GROUP_KEYS.join('|')})(,(${GROUP_KEYS.join('|')}))*$`)

const UsageQuery = z.object({
  from: Day.openapi({ description: `First day counted, UTC, included (default: ${DEFAULT_DAYS - 1} days before \`to\`)`, example: '2025-01-01' }),
  to: Day.openapi({ description: `Last day counted, UTC, included (default: today). At most ${MAX_DAYS} days from \`from\`.`, example: '2025-01-31' }),
  workspace: WorkspaceId.optional().openapi({ description: 'Only this workspace' }),
  user: z.string().min(1).max(254).optional().openapi({ description: "Only this user (id or email). Another user's usage needs admin access to the workspaces it is counted in." }),
  org: z.string().min(1).max(100).optional().openapi({ description: "The org (id or name); required with the admin token, which may report on any org's usage" }),
  group_by: z
    .string()
    .max(40)
    .regex(GROUP_BY, `must be one or more of ${GROUP_KEYS.join(', ')}, separated by commas`)
    .optional()
    .openapi({ description: 'What each row sums over: any of `day`, `user`, `workspace`, comma-separated (default `day`)', example: 'day,workspace' }),
})

const measureShape = Object.fromEntries(MEASURES.map((m) => [m, z.number()])) as Record<(typeof MEASURES)[number], z.ZodNumber>
const UsageMeasures = z.object(measureShape).openapi('UsageMeasures', {
  description:
    '`completions`: `l0` runs. `reasoning_*`: the reasoning model (completions\' `usage`, metadata extraction). `perception_*` and `audio_seconds`: vision and speech models (completions\' `perception_usage`, ingestion). `embedding_*`: chunks at ingestion, questions at search. `files_ingested`, `pages_ingested`, `bytes_ingested`: files that finished ingestion.',
})
const RowKeys = {
  day: z.string().optional().openapi({ description: 'With `group_by` day: the UTC day' }),
  workspace: z.string().optional().openapi({ description: 'With `group_by` workspace' }),
  user_id: z.string().optional().openapi({ description: 'With `group_by` user: the user counted against (who asked, or who uploaded the file)' }),
  email: z.string().nullable().optional().openapi({ description: "With `group_by` user: the user's email (null once the user is gone)" }),
}
const UsageRow = UsageMeasures.extend(RowKeys).openapi('UsageRow')
const StoredRow = z.object({ workspace: RowKeys.workspace, user_id: RowKeys.user_id, email: RowKeys.email, files: z.number(), bytes: z.number() })
const UsageReportSchema = z
  .object({
    object: z.literal('list'),
    from: z.string(),
    to: z.string(),
    group_by: z.array(z.enum(GROUP_KEYS)),
    data: z.array(UsageRow).openapi({ description: 'One row per group with any usage, ordered by its keys' }),
    totals: UsageMeasures,
    stored: z
      .object({
        files: z.number(),
        bytes: z.number(),
        data: z.array(StoredRow).optional().openapi({ description: 'By user and workspace, as `group_by` asks (its `day` aside)' }),
      })
      .openapi({ description: 'What is stored now in the same scope (a level, not a flow): files and their bytes' }),
  })
  .openapi('UsageReport')

const usageRoute = createRoute({
  method: 'get',
  path: '/usage',
  tags: ['Usage'],
  summary: 'Usage: tokens, perception, pages and bytes, per day, user and workspace',
  description:
    'Counted where the model calls happen. A user sees their own usage, and everyone\'s in the workspaces they administer; the admin token sees any org\'s (name it with `org`). Beside the period\'s flows, `stored` is what the same scope holds now.',
  security: bearerSecurity,
  request: { query: UsageQuery },
  responses: {
    200: { description: 'The report', content: { 'application/json': { schema: UsageReportSchema } } },
    ...errorResponses(401, 403, 404, 422),
  },
})

function view(report: UsageReport) {
  const measures = (m: Measures) => Object.fromEntries(MEASURES.map((k) => [k, m[k]])) as Measures
  return {
    object: 'list' as const,
    from: report.period.from,
    to: report.period.to,
    group_by: report.groupBy,
    data: report.rows,
    totals: measures(report.totals),
    stored: { files: report.stored.files, bytes: report.stored.bytes, ...(report.stored.rows && { data: report.stored.rows }) },
  }
}

export function usageRoutes(): App {
  const app = resourceApp()
  app.openapi(usageRoute, async (c) => {
    const { group_by, ...query } = c.req.valid('query')
    const groupBy = (group_by ?? 'day').split(',') as GroupKey[]
    const report = await usageReport(c.get('deps'), c.get('principal'), { ...query, groupBy })
    return c.json(view(report), 200)
  })
  return app
}
