/**
 * @module The shapes of the stored chat completion routes: metadata (OpenAI's limits, OpenAI's and
 * L0's update bodies), the stored completion and its messages, and the routes as documented.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { bearerSecurity, errorResponses, WorkspaceId } from '../schemas'

// OpenAI's limits on metadata, so a script written against OpenAI behaves the same here.
export const MAX_METADATA_KEYS = 16
export const MAX_KEY_CHARS = 64
export const MAX_VALUE_CHARS = 512

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

/** The stored-completion routes, as the OpenAPI document describes them. */
export const completionRoutes = {
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
