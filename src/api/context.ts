/**
 * @module The Hono environment every route shares: bindings, the deps built from them,
 * and the caller the auth middleware identified.
 */
import type { OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../config'
import type { Ports } from '../ports'
import type { Principal } from '../tenancy/principal'

export type AppContext = {
  Bindings: AppEnv
  Variables: { deps: Ports; principal: Principal }
}

export type App = OpenAPIHono<AppContext>
