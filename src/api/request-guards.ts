/**
 * @module Guards on the request before validation: the body's media type (415), size (413) and, for
 * JSON, nesting depth (422), each judged from what the route declares, so a client gets a precise 4xx
 * and never a 500.
 */
import { createMiddleware } from 'hono/factory'
import { bodyLimit } from 'hono/body-limit'
import { JSON_LIMITS, jsonTextDepth } from '../json-limits'
import { ApiError, invalid } from './errors'
import type { AppContext } from './context'
import type { RouteTable } from './route-table'

export const MAX_JSON_BODY_BYTES = JSON_LIMITS.bodyBytes

const hasBody = (req: Request) => {
  const length = req.headers.get('content-length')
  return req.headers.has('transfer-encoding') || (length !== null && length !== '0')
}

const mediaType = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase()

/**
 * A multipart upload may carry several files; the platform caps a request body at 100 MB on most
 * plans, so the cap is that, or one file at the configured limit, plus room for the form's fields.
 */
function uploadLimit(maxFileBytes: number) {
  const maxSize = Math.max(maxFileBytes, 100 * 1024 * 1024) + 1024 * 1024
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new ApiError(413, `The upload is larger than ${Math.round(maxSize / 1024 / 1024)} MB; send the files in smaller batches.`, 'body_too_large')
    },
  })
}

export function bodyGuards(table: RouteTable) {
  const jsonLimit = bodyLimit({
    maxSize: MAX_JSON_BODY_BYTES,
    onError: () => {
      throw new ApiError(413, `The request body is larger than ${MAX_JSON_BODY_BYTES / 1024 / 1024} MB.`, 'body_too_large')
    },
  })
  return createMiddleware<AppContext>(async (c, next) => {
    const accepted = table.bodyTypesFor(c.req.method, c.req.path)
    if (!accepted || !hasBody(c.req.raw)) return next()
    const type = mediaType(c.req.header('content-type'))
    const ok = accepted.some((a) => a === type || (a === 'application/json' && /^application\/([\w.-]+\+)?json$/.test(type)))
    if (!ok) {
      throw new ApiError(
        415,
        `Content-Type "${type || '(none)'}" is not accepted here; send ${accepted.join(' or ')}.`,
        'unsupported_media_type',
        null,
      )
    }
    if (type === 'multipart/form-data') return uploadLimit(c.get('deps').config.maxFileBytes)(c, next)
    return jsonLimit(c, async () => {
      // Before anything parses it: validators and serializers recurse, and would overflow the stack.
      // The text is cached by the request, so the validator reads it again without a second download.
      if (jsonTextDepth(await c.req.text(), JSON_LIMITS.bodyDepth) > JSON_LIMITS.bodyDepth) {
        throw invalid(`The request body is nested more than ${JSON_LIMITS.bodyDepth} levels deep (objects and lists inside one another); send a flatter JSON body.`, null, 'json_too_deep')
      }
      await next()
    })
  })
}
