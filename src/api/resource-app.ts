/**
 * @module The Hono sub-app one resource's routes are declared on, mounted by the app with `app.route`.
 * Each validates with the same hook, so a resource's 422s read like every other's.
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import { validationHook } from './validation'
import type { App, AppContext } from './context'

/** @example app.route('/workspaces', workspaceRoutes()) */
export function resourceApp(): App {
  return new OpenAPIHono<AppContext>({ defaultHook: validationHook })
}
