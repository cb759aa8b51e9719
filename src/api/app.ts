/**
 * @module The API application: middleware order, routes, the OpenAPI document and docs page,
 * and the fallbacks (404, 405, errors). Every route is also served under `/v1/`.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { swaggerUI } from '@hono/swagger-ui'
import { cors } from 'hono/cors'
import { requestId } from 'hono/request-id'
import { timing } from 'hono/timing'
import { ACCESS_ASSERTION_HEADER, authenticate } from './auth'
import { limitRate } from './rate-limit'
import { documentGuardErrors } from './documented-errors'
import { fromDomainError } from './domain-errors'
import { ApiError, errorResponse } from './errors'
import { bodyGuards } from './request-guards'
import { routeTable } from './route-table'
import { validationHook } from './validation'
import { auditRoutes } from './routes/audit'
import { chatRoutes } from './routes/chat'
import { completionRoutes } from './routes/completions'
import { fileRoutes } from './routes/files'
import { healthRoutes } from './routes/health'
import { MCP_ROUTE, mcpRoutes } from './routes/mcp'
import { modelRoutes } from './routes/models'
import { signInRoutes } from './routes/sign-in'
import { tokenRoutes } from './routes/tokens'
import { sourceRoutes } from './routes/sources'
import { usageRoutes } from './routes/usage'
import { userRoutes } from './routes/users'
import { workspaceIndexRoutes } from './routes/workspace-index'
import { workspaceRoutes } from './routes/workspaces'
import type { AppContext } from './context'
import type { AppEnv } from '../config'
import type { Ports } from '../ports'

/** Routes outside the OpenAPI document, so 405 knows them too: the docs themselves, and MCP (docs/mcp.md). */
const UNDOCUMENTED_ROUTES = [
  { method: 'GET', path: '/openapi.json' },
  { method: 'GET', path: '/docs' },
  MCP_ROUTE,
]

/** `portsFor` is the Worker's composition root: the ports each request's handlers use, built from its env. */
export function createApp(portsFor: (env: AppEnv) => Ports) {
  const app = new OpenAPIHono<AppContext>({ defaultHook: validationHook })
  const table = routeTable(app, UNDOCUMENTED_ROUTES)

  app.use('*', timing({ crossOrigin: true }))
  app.use('*', requestId())
  app.use('*', cors({ origin: '*', exposeHeaders: ['Server-Timing', 'X-Request-Id', 'WWW-Authenticate', 'Retry-After'], maxAge: 86400 }))
  app.use('*', async (c, next) => {
    c.set('deps', portsFor(c.env))
    await next()
  })
  app.use('*', bodyGuards(table))
  app.use('*', authenticate)
  app.use('*', limitRate)

  app.route('/', healthRoutes())
  app.route('/', modelRoutes())
  app.route('/', signInRoutes())
  app.route('/users', userRoutes())
  app.route('/tokens', tokenRoutes())
  app.route('/workspaces', workspaceRoutes())
  app.route('/workspaces', workspaceIndexRoutes())
  app.route('/', fileRoutes())
  app.route('/', sourceRoutes())
  app.route('/', chatRoutes())
  app.route('/', completionRoutes())
  app.route('/', auditRoutes())
  app.route('/', mcpRoutes())
  app.route('/', usageRoutes())
  documentGuardErrors(app)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'A user API token (POST /users/{user_id}/tokens) or, for user management, the ADMIN_TOKEN secret.',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'cloudflareAccess', {
    type: 'apiKey',
    in: 'header',
    name: ACCESS_ASSERTION_HEADER,
    description:
      "Where the deployment sits behind Cloudflare Access (ACCESS_TEAM_DOMAIN, ACCESS_AUD): the signed assertion Access's edge adds to each request it lets through, naming a user by email. Used only when no Authorization header is sent.",
  })
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'Cairn API',
      version: '0.1.0',
      description:
        'Upload files, then ask questions about them with an OpenAI-compatible API. Every route is also served under `/v1/`. Errors use OpenAI\'s envelope `{"error": {"message", "type", "param", "code"}}`.',
    },
  })
  app.get('/docs', swaggerUI({ url: '/openapi.json', title: 'Cairn API' }))

  app.notFound((c) => {
    const allowed = table.methodsFor(c.req.path)
    if (allowed.length > 0) {
      const allow = [...allowed, 'OPTIONS'].join(', ')
      throw new ApiError(405, `${c.req.method} is not allowed on ${c.req.path}; it answers ${allow}.`, 'method_not_allowed', null, { Allow: allow })
    }
    throw new ApiError(404, `No route ${c.req.method} ${c.req.path}. The API is described at /docs.`, 'unknown_route')
  })
  app.onError((err) => errorResponse(fromDomainError(err)))
  return app
}

/** Serves `/v1/…` exactly as `/…`, for OpenAI SDKs whose base URL ends in `/v1`. */
export function withV1Prefix(app: ReturnType<typeof createApp>) {
  return (request: Request, env: AppEnv, ctx: ExecutionContext): Response | Promise<Response> => {
    const url = new URL(request.url)
    if (url.pathname === '/v1' || url.pathname.startsWith('/v1/')) {
      url.pathname = url.pathname.slice(3) || '/'
      return app.fetch(new Request(url, request), env, ctx)
    }
    return app.fetch(request, env, ctx)
  }
}
