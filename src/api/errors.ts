/**
 * @module API errors and the OpenAI error envelope `{ error: { message, type, param, code } }`.
 * Routes throw `ApiError`s; `errorResponse` is the one place any thrown value becomes a response.
 */
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

export type ErrorBody = {
  error: { message: string; type: string; param: string | null; code: string | null }
}

const TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  405: 'invalid_request_error',
  409: 'conflict_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  // OpenAI's own type for a request-rate refusal; its SDKs raise RateLimitError on the status.
  429: 'requests',
  500: 'server_error',
  503: 'server_error',
}

/** An error meant for the client: its message says what was wrong and what would be right. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    message: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
    this.name = 'ApiError'
  }

  get type(): string {
    return TYPE_BY_STATUS[this.status] ?? (this.status >= 500 ? 'server_error' : 'invalid_request_error')
  }

  body(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } }
  }
}

/** RFC 6750: a 401 names the scheme it wants, which MCP clients read before anything else. */
export const unauthorized = (message: string) => new ApiError(401, message, 'invalid_api_key', null, { 'WWW-Authenticate': 'Bearer realm="cairn"' })
export const forbidden = (message: string) => new ApiError(403, message, 'insufficient_permissions')
export const notFound = (message: string, param: string | null = null) =>
  new ApiError(404, message, 'not_found', param)
export const conflict = (message: string, code = 'conflict', param: string | null = null) =>
  new ApiError(409, message, code, param)
export const invalid = (message: string, param: string | null = null, code = 'invalid_value') =>
  new ApiError(422, message, code, param)
export const tooManyRequests = (message: string, retryAfterSeconds: number) =>
  new ApiError(429, message, 'rate_limit_exceeded', null, { 'Retry-After': String(retryAfterSeconds) })

/** Turns anything thrown while handling a request into an enveloped response. */
export function errorResponse(err: unknown): Response {
  const apiError = toApiError(err)
  return Response.json(apiError.body(), {
    status: apiError.status,
    headers: apiError.headers,
  })
}

function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (err instanceof HTTPException) {
    // Hono raises these for malformed JSON, bad content types and the body limit.
    const status = err.status as ContentfulStatusCode
    if (status === 400 && /json/i.test(err.message)) {
      return new ApiError(400, 'The request body is not valid JSON. Send a JSON object with Content-Type: application/json.', 'invalid_json')
    }
    if (status === 400 && /^Malformed FormData/i.test(err.message)) {
      // Hono's reason follows its prefix ("FormData part had invalid headers."); the client needs both.
      const reason = err.message.replace(/^Malformed FormData request\.?\s*/i, '').trim()
      return new ApiError(
        400,
        `The multipart body could not be read${reason ? ` (${reason.replace(/\.$/, '')})` : ''}. Send multipart/form-data with one "file" part per file, each with a filename.`,
        'invalid_multipart',
      )
    }
    if (status === 413) {
      return new ApiError(413, err.message || 'The request body is too large.', 'body_too_large')
    }
    return new ApiError(status, err.message || 'The request could not be handled.', null)
  }
  console.error('unhandled error', err)
  return new ApiError(500, 'Cairn hit an internal error handling this request. It is logged; please retry or report it.', 'internal_error')
}
