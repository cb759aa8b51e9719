/**
 * @module `GET /models`: the two models Cairn serves and their L0 aliases, as OpenAI model objects.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { notFound } from '../errors'
import { bearerSecurity, errorResponses } from '../schemas'
import type { App } from '../context'
import { resourceApp } from '../resource-app'

/** Every model id a request may name, mapped to what it runs. */
export const MODELS = {
  l0: 'l0',
  'activeloop-l0': 'l0',
  'l0-retrieval': 'l0-retrieval',
  'activeloop-l0-retrieval': 'l0-retrieval',
} as const
export type ModelId = keyof typeof MODELS

// A fixed date: the model ids are part of the API, not of a deployment.
const CREATED = 1735689600

const Model = z.object({ id: z.string(), object: z.literal('model'), created: z.number(), owned_by: z.string() }).openapi('Model')
const modelView = (id: string) => ({ id, object: 'model' as const, created: CREATED, owned_by: 'cairn' })

const list = createRoute({
  method: 'get',
  path: '/models',
  tags: ['Models'],
  summary: 'List models',
  security: bearerSecurity,
  responses: {
    200: { description: 'The models', content: { 'application/json': { schema: z.object({ object: z.literal('list'), data: z.array(Model) }) } } },
    ...errorResponses(401),
  },
})

const get = createRoute({
  method: 'get',
  path: '/models/{model}',
  tags: ['Models'],
  summary: 'Get a model',
  security: bearerSecurity,
  request: { params: z.object({ model: z.string().max(100) }) },
  responses: { 200: { description: 'The model', content: { 'application/json': { schema: Model } } }, ...errorResponses(401, 404) },
})

export function modelRoutes(): App {
  const app = resourceApp()
  app.openapi(list, (c) => c.json({ object: 'list' as const, data: Object.keys(MODELS).map(modelView) }, 200))
  app.openapi(get, (c) => {
    const { model } = c.req.valid('param')
    if (!(model in MODELS)) throw notFound(`No model "${model}". Cairn serves ${Object.keys(MODELS).join(', ')}.`, 'model')
    return c.json(modelView(model), 200)
  })
  return app
}
