/**
 * @module The Sources API over HTTP: connect a workspace to an R2 bucket, an S3-compatible bucket or a
 * website (`POST /sources`), list and read sources, sync one now, disconnect one with or without its
 * files. The rules are the sources domain's; credentials go in and never come out.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { MAX_INSTRUCTIONS_LENGTH } from '../../ingest/metadata-extraction'
import { WEB_DEFAULTS, type SourceSettings } from '../../sources/settings'
import { sourceObject } from '../../sources/source-object'
import { connectSource, disconnectSource, listSources, openSource, syncNow } from '../../sources/sources'
import { callerOf } from '../auth'
import type { App } from '../context'
import { resourceApp } from '../resource-app'
import { bearerSecurity, errorResponses, WorkspaceId } from '../schemas'

const Globs = z.array(z.string().min(1).max(300)).max(50).default([])
const HttpUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL')
/** A lone UTF-16 surrogate cannot be put in a URL or a header: text with one is no key and no name. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const Prefix = z
  .string()
  .max(1024)
  .refine((p) => !LONE_SURROGATE.test(p), 'must be text (it holds a lone UTF-16 surrogate)')
  .default('')
  .openapi({ description: 'Only keys starting with this are read' })
/** S3 keys and tokens are printable ASCII; anything else could not travel in the signed request's headers. */
const Credential = z.string().min(1).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces, as S3 keys and tokens are')

const R2Settings = z
  .object({
    binding: z
      .string()
      .max(64)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a binding name such as CONTRACTS_BUCKET')
      .openapi({ description: 'The name the bucket is bound under on both Workers (wrangler.toml `[[r2_buckets]]`)' }),
    bucket_name: z.string().min(3).max(63).nullable().default(null).openapi({ description: "The bucket's name, so its event notifications reach this source (deployed)" }),
    prefix: Prefix,
    include: Globs.openapi({ description: 'Globs over the key (`**/*.pdf`); empty: every key' }),
    exclude: Globs,
  })
  .strict()
const S3Settings = z
  .object({
    endpoint: HttpUrl.openapi({ example: 'https://s3.eu-west-1.amazonaws.com' }),
    bucket: z.string().min(1).max(255).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a bucket name: letters, digits, ".", "_" and "-"'),
    region: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be a region name such as us-east-1 or auto').default('us-east-1'),
    prefix: Prefix,
    path_style: z.boolean().default(true).openapi({ description: '`endpoint/bucket/key` (MinIO, R2, most stores) rather than `bucket.endpoint/key`' }),
    include: Globs,
    exclude: Globs,
    access_key_id: Credential.max(256),
    secret_access_key: Credential.max(512).openapi({ description: 'Stored sealed; never returned' }),
    session_token: Credential.max(4096).optional(),
  })
  .strict()
const WebSettings = z
  .object({
    url: HttpUrl.openapi({ description: 'Where the crawl starts; only pages of its origin are followed', example: 'https://docs.example.com/' }),
    sitemap_url: HttpUrl.nullable().default(null).openapi({ description: 'A sitemap whose pages are read too' }),
    max_depth: z.number().int().min(0).max(10).default(WEB_DEFAULTS.max_depth),
    max_pages: z.number().int().min(1).max(10_000).default(WEB_DEFAULTS.max_pages),
    include: Globs.openapi({ description: "Globs over the URL's path (`/docs/**`); empty: every page" }),
    exclude: Globs,
  })
  .strict()

const common = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'must be 1 to 63 lowercase letters, digits, ".", "_" or "-", e.g. "contracts-bucket"')
    .openapi({ description: 'Unique in the workspace; its files carry it as `metadata.source`', example: 'contracts-bucket' }),
  workspace: WorkspaceId.optional(),
  metadata: z.record(z.string(), z.unknown()).default({}).openapi({ description: 'Metadata every file from the source starts with' }),
  instructions: z.string().trim().min(1).max(MAX_INSTRUCTIONS_LENGTH).nullable().default(null).openapi({ description: 'What metadata the reasoning model should set from each file, as at upload' }),
  sync_every_minutes: z.number().int().min(5).max(10_080).nullable().default(null).openapi({ description: 'Sync on a schedule as well as when asked; null: only when asked' }),
}
const ConnectBody = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('r2'), settings: R2Settings, ...common }).strict(),
    z.object({ type: z.literal('s3'), settings: S3Settings, ...common }).strict(),
    z.object({ type: z.literal('web'), settings: WebSettings, ...common }).strict(),
  ])
  .openapi('SourceCreate')

const SyncSchema = z.object({
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  added: z.number().int(),
  updated: z.number().int(),
  removed: z.number().int(),
  failed: z.number().int(),
  unchanged: z.number().int(),
})
const SourceSchema = z
  .object({
    id: z.string(),
    object: z.literal('source'),
    name: z.string(),
    type: z.enum(['r2', 's3', 'web']),
    workspace_id: z.string(),
    settings: z.record(z.string(), z.unknown()).openapi({ description: 'As given, without credentials' }),
    has_credentials: z.boolean(),
    metadata: z.record(z.string(), z.unknown()),
    instructions: z.string().nullable(),
    sync_every_minutes: z.number().int().nullable(),
    status: z.enum(['idle', 'syncing', 'error']),
    status_details: z.string().nullable(),
    last_sync: SyncSchema.nullable().openapi({ description: 'What the current (or last) sync did' }),
    last_synced_at: z.string().nullable(),
    next_sync_at: z.string().nullable(),
    created_at: z.number().int(),
  })
  .openapi('Source')

const SourceParam = z.object({ source_id: z.string().min(1).max(100) })
const answer = <T extends z.ZodType>(description: string, schema: T) => ({ 200: { description, content: { 'application/json': { schema } } } })

const routes = {
  connect: createRoute({
    method: 'post',
    path: '/sources',
    tags: ['Sources'],
    summary: 'Connect an R2 bucket, an S3-compatible bucket or a website, and start its first sync',
    security: bearerSecurity,
    request: { body: { content: { 'application/json': { schema: ConnectBody } }, required: true } },
    responses: { ...answer('The source, syncing', SourceSchema), ...errorResponses(400, 401, 403, 404, 409, 422) },
  }),
  list: createRoute({
    method: 'get',
    path: '/sources',
    tags: ['Sources'],
    summary: "List a workspace's sources",
    security: bearerSecurity,
    request: { query: z.object({ workspace: WorkspaceId.optional() }) },
    responses: { ...answer('The sources', z.object({ object: z.literal('list'), data: z.array(SourceSchema) })), ...errorResponses(401, 403, 404, 422) },
  }),
  get: createRoute({
    method: 'get',
    path: '/sources/{source_id}',
    tags: ['Sources'],
    summary: 'A source: its status, its last sync, its next',
    security: bearerSecurity,
    request: { params: SourceParam },
    responses: { ...answer('The source', SourceSchema), ...errorResponses(401, 403, 404, 422) },
  }),
  sync: createRoute({
    method: 'post',
    path: '/sources/{source_id}/sync',
    tags: ['Sources'],
    summary: 'Sync a source now',
    security: bearerSecurity,
    request: { params: SourceParam },
    responses: { ...answer('The source, syncing', SourceSchema), ...errorResponses(401, 403, 404, 409, 422) },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/sources/{source_id}',
    tags: ['Sources'],
    summary: 'Disconnect a source, keeping its files or deleting them',
    security: bearerSecurity,
    request: {
      params: SourceParam,
      query: z.object({
        delete_files: z
          .enum(['true', 'false'])
          .default('false')
          .openapi({ description: 'Delete the files it brought in too; otherwise they stay as ordinary files' }),
      }),
    },
    responses: {
      ...answer('Disconnected', z.object({ id: z.string(), object: z.literal('source'), deleted: z.literal(true), files_deleted: z.number().int() })),
      ...errorResponses(401, 403, 404, 422),
    },
  }),
}

/** The request's type and settings as the domain takes them: credentials apart from what is shown. */
function connectionOf(body: z.infer<typeof ConnectBody>): SourceSettings {
  if (body.type === 's3') {
    const { access_key_id, secret_access_key, session_token, ...settings } = body.settings
    return { type: 's3', settings, secret: { access_key_id, secret_access_key, ...(session_token ? { session_token } : {}) } }
  }
  return body.type === 'r2' ? { type: 'r2', settings: body.settings } : { type: 'web', settings: body.settings }
}

/** The routes under `/sources`. */
export function sourceRoutes(): App {
  const app = resourceApp()

  app.openapi(routes.connect, async (c) => {
    const body = c.req.valid('json')
    const row = await connectSource(c.get('deps'), callerOf(c), {
      workspace: body.workspace,
      name: body.name,
      connection: connectionOf(body),
      metadata: body.metadata,
      instructions: body.instructions,
      syncEveryMinutes: body.sync_every_minutes,
    })
    return c.json(sourceObject(row), 200)
  })

  app.openapi(routes.list, async (c) => {
    const rows = await listSources(c.get('deps'), callerOf(c), c.req.valid('query').workspace)
    return c.json({ object: 'list' as const, data: rows.map(sourceObject) }, 200)
  })

  app.openapi(routes.get, async (c) => {
    const row = await openSource(c.get('deps'), callerOf(c), c.req.valid('param').source_id, 'reader')
    return c.json(sourceObject(row), 200)
  })

  app.openapi(routes.sync, async (c) => {
    const row = await syncNow(c.get('deps'), callerOf(c), c.req.valid('param').source_id)
    return c.json(sourceObject(row), 200)
  })

  app.openapi(routes.delete, async (c) => {
    const result = await disconnectSource(c.get('deps'), callerOf(c), c.req.valid('param').source_id, c.req.valid('query').delete_files === 'true')
    return c.json({ id: result.id, object: 'source' as const, deleted: true as const, files_deleted: result.filesDeleted }, 200)
  })

  return app
}
