/**
 * @module What the API's own OpenAPI registry says about a path: which methods it answers
 * and which body types each accepts. Used to answer 405 and 415 from the same source as the docs.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'

type RouteInfo = { method: string; pattern: RegExp; bodyTypes: string[] }

// The registry's definitions are a list of unions; only route definitions matter here.
type Definition = { type: string; route?: { method: string; path: string; request?: { body?: { content?: Record<string, unknown> } } } }

export type RouteTable = {
  /** The methods registered for this path, empty when no route has it. */
  methodsFor(path: string): string[]
  /** The body media types the route accepts, or null when it takes no body. */
  bodyTypesFor(method: string, path: string): string[] | null
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function compile(path: string): RegExp {
  const source = path
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : escapeRegExp(part)))
    .join('')
  return new RegExp(`^${source}/?$`)
}

export function routeTable(app: OpenAPIHono<any>, extra: Array<{ method: string; path: string }> = []): RouteTable {
  let routes: RouteInfo[] | null = null
  const load = () => {
    routes ??= [
      ...(app.openAPIRegistry.definitions as Definition[])
        .filter((d) => d.type === 'route' && d.route)
        .map((d) => ({
          method: d.route!.method.toUpperCase(),
          pattern: compile(d.route!.path),
          bodyTypes: Object.keys(d.route!.request?.body?.content ?? {}),
        })),
      ...extra.map((e) => ({ method: e.method, pattern: compile(e.path), bodyTypes: [] })),
    ]
    return routes
  }
  return {
    methodsFor(path) {
      return [...new Set(load().filter((r) => r.pattern.test(path)).map((r) => r.method))]
    },
    bodyTypesFor(method, path) {
      const route = load().find((r) => r.method === method && r.pattern.test(path))
      return route && route.bodyTypes.length > 0 ? route.bodyTypes : null
    },
  }
}
