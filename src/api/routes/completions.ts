/**
 * @module Stored chat completions (`store: true`), as OpenAI serves them: listing with cursors and
 * metadata filters, reading one and its request messages, replacing its metadata, deleting it.
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { completionObject } from '../../completions/completion-object'
import { pageMessages } from '../../completions/messages'
import {
  deleteCompletion,
  findCompletion,
  listCompletions,
  MAX_METADATA_FILTERS,
  UnknownCursorError,
  updateCompletionMetadata,
  type CompletionMetadata,
  type StoredCompletion,
} from '../../completions/store'
import { DEFAULT_WORKSPACE } from '../../tenancy/orgs'
import { authorizeWorkspace } from '../../tenancy/workspace-access'
import { requireUser } from '../auth'
import { invalid, notFound } from '../errors'
import { bearerSecurity, errorResponses, WorkspaceId } from '../schemas'
import type { Access } from '../../db/schema'
import type { App, AppContext } from '../context'

// OpenAI's limits on metadata, so a script written against OpenAI behaves the same here.
const MAX_METADATA_KEYS = 16
const MAX_KEY_CHARS = 64
const MAX_VALUE_CHARS = 512

const Metadata = z
  .record(z.string().max(MAX_KEY_CHARS), z.string().max(MAX_VALUE_CHARS, `values must be at most ${MAX_VALUE_CHARS} characters`), {
    // Without this a long key reads only "Invalid key in record".
    error: (issue) => (issue.code === 'invalid_key' ? `keys must be at most ${MAX_KEY_CHARS} characters` : undefined),
  })
  .refine((m) => Object.keys(m).length <= MAX_METADATA_KEYS, `must have at most ${MAX_METADATA_KEYS} keys`)
  .openapi('CompletionMetadata', { description: `String keys (≤ ${MAX_KEY_CHARS} characters) to string values (≤ ${MAX_VALUE_CHARS}), at most ${MAX_METADATA_KEYS} pairs` })

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v)

/**
 * OpenAI sends `{"metadata": {…}}`, L0 the metadata object itself. A body whose only key is
 * `metadata` holding an object (or null, which clears) is OpenAI's; any other object is L0's and is
 * wrapped, so both validate alike and errors name `metadata.<key>` either way.
 */
function asOpenAiShape(body: unknown): unknown {
  if (!isPlainObject(body)) return body
  const keys = Object.keys(body)
  if (keys.length === 1 && keys[0] === 'metadata') {
    if (body.metadata === null) return { metadata: {} }
    if (isPlainObject(body.metadata)) return body
  }
  return { metadata: body }
}

const MetadataUpdate = z
  .preprocess(asOpenAiShape, z.object({ metadata: Metadata }))
  .openapi({
    description: 'Either `{"metadata": {…}}` (OpenAI) or the metadata object itself (L0). It replaces the metadata; `{"metadata": null}` clears it.',
    example: { metadata: { topic: 'contracts' } },
  })

const Usage = z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() })
const StoredCompletionSchema = z
  .looseObject({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number(),
    model: z.string(),
    choices: z.array(z.looseObject({ index: z.number(), message: z.looseObject({ role: z.string(), content: z.string().nullable() }) })).optional(),
    usage: Usage.optional(),
    metadata: z.record(z.string(), z.string()),
  })
  .openapi('StoredChatCompletion', { description: 'The `chat.completion` object as first returned, with its current `metadata`' })

const StoredMessageSchema = z
  .object({
    id: z.string().openapi({ description: '`<completion id>-<index>`' }),
    role: z.string(),
    content: z.string().nullable().openapi({ description: 'The text (text parts joined by newlines), or null' }),
    name: z.string().nullable(),
    content_parts: z.array(z.unknown()).nullable().openapi({ description: 'The parts, when the message was sent as an array of parts' }),
  })
  .openapi('ChatCompletionStoreMessage')

const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ object: z.literal('list'), data: z.array(item), first_id: z.string().nullable(), last_id: z.string().nullable(), has_more: z.boolean() })

const Page = {
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('asc').openapi({ description: 'By creation time' }),
}
const WorkspaceQuery = z.object({
  workspace: WorkspaceId.optional().openapi({ description: "The completion's workspace; another one answers 404" }),
})
const IdParam = z.object({ completion_id: z.string().min(1).max(100) })
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } })

const routes = {
  list: createRoute({
    method: 'get',
    path: '/chat/completions',
    tags: ['Chat'],
    summary: 'List stored chat completions',
    description: 'Completions created with `store: true` in a workspace. Filter by `model` and by `metadata[key]=value` (several allowed; all must match).',
    security: bearerSecurity,
    request: {
      query: z.object({
        workspace: WorkspaceId.optional(),
        after: z.string().max(100).optional().openapi({ description: 'Cursor: the id of the last completion of the previous page' }),
        ...Page,
        model: z.string().max(200).optional(),
        // Validated by hand from the raw query (deepObject keys are not one field); declared for the document.
        metadata: z.record(z.string(), z.string()).optional().openapi({ param: { style: 'deepObject', explode: true }, description: 'metadata[key]=value', example: { topic: 'contracts' } }),
      }),
    },
    responses: { 200: { description: 'The completions', content: json(listOf(StoredCompletionSchema)) }, ...errorResponses(401, 403, 404, 422) },
  }),
  get: createRoute({
    method: 'get',
    path: '/chat/completions/{completion_id}',
    tags: ['Chat'],
    summary: 'Get a stored chat completion',
    security: bearerSecurity,
    request: { params: IdParam, query: WorkspaceQuery },
    responses: { 200: { description: 'The completion', content: json(StoredCompletionSchema) }, ...errorResponses(401, 403, 404, 422) },
  }),
  update: createRoute({
    method: 'post',
    path: '/chat/completions/{completion_id}',
    tags: ['Chat'],
    summary: "Replace a stored chat completion's metadata",
    security: bearerSecurity,
    request: { params: IdParam, query: WorkspaceQuery, body: { required: true, content: json(MetadataUpdate) } },
    responses: { 200: { description: 'The updated completion', content: json(StoredCompletionSchema) }, ...errorResponses(401, 403, 404, 422) },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/chat/completions/{completion_id}',
    tags: ['Chat'],
    summary: 'Delete a stored chat completion',
    security: bearerSecurity,
    request: { params: IdParam, query: WorkspaceQuery },
    responses: {
      200: { description: 'Deleted', content: json(z.object({ id: z.string(), object: z.literal('chat.completion.deleted'), deleted: z.literal(true) })) },
      ...errorResponses(401, 403, 404, 422),
    },
  }),
  messages: createRoute({
    method: 'get',
    path: '/chat/completions/{completion_id}/messages',
    tags: ['Chat'],
    summary: "A stored chat completion's request messages",
    description: 'The messages as sent; the answer is in the completion itself.',
    security: bearerSecurity,
    request: {
      params: IdParam,
      query: WorkspaceQuery.extend({ after: z.string().max(200).optional().openapi({ description: 'Cursor: the id of the last message of the previous page' }), ...Page }),
    },
    responses: { 200: { description: 'The messages', content: json(listOf(StoredMessageSchema)) }, ...errorResponses(401, 403, 404, 422) },
  }),
}

/** A completion of the caller's org they may access at `needed`; another org's, or one outside the named workspace, is 404. */
async function authorizeCompletion(c: Context<AppContext>, id: string, workspace: string | undefined, needed: Access): Promise<StoredCompletion> {
  const user = requireUser(c)
  const { db, d1 } = c.get('deps')
  const stored = await findCompletion(d1, user.orgId, id)
  if (!stored || (workspace !== undefined && workspace !== stored.workspaceId)) {
    throw notFound(`No stored chat completion "${id}"${workspace ? ` in workspace "${workspace}"` : ''}. Only completions created with "store": true are kept.`, 'completion_id')
  }
  await authorizeWorkspace(db, user, stored.workspaceId, needed)
  return stored
}

/** The `metadata[key]=value` pairs of the query string, checked against the same limits as metadata itself. */
function metadataFilters(queries: Record<string, string[]>): CompletionMetadata {
  const filters: CompletionMetadata = {}
  for (const [name, values] of Object.entries(queries)) {
    if (name !== 'metadata' && !name.startsWith('metadata[')) continue
    const match = /^metadata\[([^\]]+)\]$/.exec(name)
    if (!match) throw invalid(`"${name}" is not a metadata filter; write metadata[key]=value, e.g. metadata[topic]=contracts.`, 'metadata')
    const key = match[1]!
    const param = `metadata[${key}]`
    if (key.length > MAX_KEY_CHARS) throw invalid(`${param}: keys are at most ${MAX_KEY_CHARS} characters.`, param)
    if (new Set(values).size > 1) throw invalid(`${param} is given ${values.length} different values; a completion has one value per key.`, param)
    if (values[0]!.length > MAX_VALUE_CHARS) throw invalid(`${param}: values are at most ${MAX_VALUE_CHARS} characters.`, param)
    filters[key] = values[0]!
  }
  if (Object.keys(filters).length > MAX_METADATA_FILTERS) throw invalid(`At most ${MAX_METADATA_FILTERS} metadata filters; this listing has ${Object.keys(filters).length}.`, 'metadata')
  return filters
}

const pageIds = (items: Array<{ id: string }>) => ({ first_id: items[0]?.id ?? null, last_id: items.at(-1)?.id ?? null })

function unknownCursor(err: unknown): never {
  if (err instanceof UnknownCursorError) throw invalid(`after: "${err.cursor}" is not in this listing; pass the last id of the previous page.`, 'after')
  throw err
}

export function registerCompletionRoutes(app: App): void {
  app.openapi(routes.list, async (c) => {
    const user = requireUser(c)
    const q = c.req.valid('query')
    const workspaceId = q.workspace ?? DEFAULT_WORKSPACE
    const { db, d1 } = c.get('deps')
    await authorizeWorkspace(db, user, workspaceId, 'reader')
    const metadata = metadataFilters(c.req.queries())
    const page = await listCompletions(d1, { orgId: user.orgId, workspaceId, after: q.after, limit: q.limit, order: q.order, model: q.model, metadata }).catch(unknownCursor)
    const data = page.completions.map(completionObject)
    return c.json({ object: 'list' as const, data, ...pageIds(data), has_more: page.hasMore }, 200)
  })

  app.openapi(routes.get, async (c) => {
    const stored = await authorizeCompletion(c, c.req.valid('param').completion_id, c.req.valid('query').workspace, 'reader')
    return c.json(completionObject(stored), 200)
  })

  app.openapi(routes.update, async (c) => {
    const stored = await authorizeCompletion(c, c.req.valid('param').completion_id, c.req.valid('query').workspace, 'writer')
    const { metadata } = c.req.valid('json')
    const updated = await updateCompletionMetadata(c.get('deps').d1, stored.orgId, stored.id, metadata)
    if (!updated) throw notFound(`No stored chat completion "${stored.id}"; it was deleted meanwhile.`, 'completion_id')
    return c.json(completionObject(updated), 200)
  })

  app.openapi(routes.delete, async (c) => {
    const stored = await authorizeCompletion(c, c.req.valid('param').completion_id, c.req.valid('query').workspace, 'writer')
    await deleteCompletion(c.get('deps').d1, stored.orgId, stored.id)
    return c.json({ id: stored.id, object: 'chat.completion.deleted' as const, deleted: true as const }, 200)
  })

  app.openapi(routes.messages, async (c) => {
    const q = c.req.valid('query')
    const stored = await authorizeCompletion(c, c.req.valid('param').completion_id, q.workspace, 'reader')
    let page
    try {
      page = pageMessages(stored.id, stored.messages, { after: q.after, limit: q.limit, order: q.order })
    } catch (err) {
      unknownCursor(err)
    }
    return c.json({ object: 'list' as const, data: page.messages, ...pageIds(page.messages), has_more: page.hasMore }, 200)
  })
}
