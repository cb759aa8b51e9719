/**
 * @module Schemas more than one route uses: the error envelope, identifiers, responses.
 */
import { z } from '@hono/zod-openapi'

export const WORKSPACE_ID_PATTERN = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/

export const WorkspaceId = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(WORKSPACE_ID_PATTERN, 'must be lowercase letters and digits, joined by single "-" or "_" (e.g. "legal-2024")')
  .openapi({ example: 'default' })

export const ErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .openapi('Error')

const errorContent = { 'application/json': { schema: ErrorSchema } }

/** The error responses a route can give, for its OpenAPI description. */
export function errorResponses(...statuses: Array<400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503>) {
  const descriptions = {
    400: 'The body could not be read: malformed JSON or multipart',
    401: 'Missing or unknown bearer token, or an invalid Cloudflare Access assertion',
    403: 'The token may not do this, or the Access sign-in names no Cairn user',
    404: 'No such resource in your org',
    409: 'Conflicts with the current state',
    413: 'The body is larger than the route accepts',
    415: 'The body is not of a media type the route accepts',
    422: 'Validation error; `param` names the field',
    429: 'Rate limit reached for the token or its org; `Retry-After` says when to try again',
    503: 'A part of the deployment this needs is missing or failing',
  } as const
  return Object.fromEntries(statuses.map((s) => [s, { description: descriptions[s], content: errorContent }])) as {
    [K in (typeof statuses)[number]]: { description: string; content: typeof errorContent }
  }
}

/**
 * One event of a `text/event-stream` answer, as clients parse it (the shape OpenAPI 3.2 gives SSE items):
 * tools that validate streams check each event against this, not the stream as one string.
 */
export const ServerSentEvent = z
  .object({
    data: z.string().openapi({ description: 'A `chat.completion.chunk` as JSON, or `[DONE]` to end the stream' }),
    event: z.string().optional(),
    id: z.string().optional(),
    retry: z.number().int().optional(),
  })
  .openapi('ServerSentEvent')

/** What a secured route accepts: a bearer token or, behind Cloudflare Access, Access's assertion (either one). */
export const bearerSecurity: Array<Record<string, string[]>> = [{ bearerAuth: [] }, { cloudflareAccess: [] }]

export const isoDate = (ms: number) => new Date(ms).toISOString()
