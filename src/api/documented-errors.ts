/**
 * @module The errors every route can give because of the middleware in front of it, added to each
 * route's OpenAPI description from what the route declares, so the document never misses one.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import { errorResponses } from './schemas'

type RouteDefinition = {
  type: string
  route?: {
    security?: unknown[]
    request?: { body?: unknown; params?: unknown; query?: unknown; headers?: unknown }
    responses: Record<string, unknown>
  }
}

/**
 * Which guard answers what: the platform 503 on every route; the bearer check 401, an Access sign-in that names no user 403, and the rate limits 429 on secured routes; body guards 400 (unreadable JSON
 * or multipart), 413 (too large) and 415 (wrong media type) on routes with a body; validation 422
 * wherever there is a body, path or query to validate. A route's own description of a status wins.
 */
export function documentGuardErrors(app: OpenAPIHono<any>): void {
  for (const definition of app.openAPIRegistry.definitions as RouteDefinition[]) {
    const route = definition.type === 'route' ? definition.route : undefined
    if (!route) continue
    const { request } = route
    // Any route answers 503 when the runtime or a binding under it fails, whatever it does itself.
    const statuses: Array<400 | 401 | 403 | 413 | 415 | 422 | 429 | 503> = [503]
    if (route.security && route.security.length > 0) statuses.push(401, 403, 429)
    if (request?.body) statuses.push(400, 413, 415, 422)
    else if (request?.params || request?.query || request?.headers) statuses.push(422)
    for (const [status, response] of Object.entries(errorResponses(...statuses))) {
      route.responses[status] ??= response
    }
  }
}
