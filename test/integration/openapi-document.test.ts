/**
 * The OpenAPI document describes every answer a route can give, including the ones its middleware
 * gives (401, 400/413/415, 422), so a client generated from it, or a fuzzer checking against it, is never surprised.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { call, callJson, createPerson, unique } from './api-client'

type Operation = { security?: unknown[]; parameters?: unknown[]; requestBody?: unknown; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }
let operations: Array<[string, Operation]>
let doc: any

beforeAll(async () => {
  doc = await callJson('GET', '/openapi.json')
  operations = Object.entries(doc.paths as Record<string, Record<string, Operation>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Operation]),
  )
})

describe('the errors every route can give', () => {
  it('a route that needs a token documents 401', () => {
    const secured = operations.filter(([, op]) => op.security?.length)
    expect(secured.length).toBeGreaterThan(20)
    for (const [name, op] of secured) expect(Object.keys(op.responses), name).toContain('401')
  })

  it('a route with a body documents 400, 413, 415 and 422', () => {
    const withBody = operations.filter(([, op]) => op.requestBody)
    expect(withBody.map(([name]) => name)).toContain('POST /files')
    for (const [name, op] of withBody) expect(Object.keys(op.responses), name).toEqual(expect.arrayContaining(['400', '413', '415', '422']))
  })

  it('a route with path or query parameters documents 422', () => {
    const withParameters = operations.filter(([, op]) => op.parameters?.length)
    // The fuzzer found these answering an undocumented 422 for an over-long id.
    for (const name of ['GET /models/{model}', 'DELETE /tokens/{token_id}', 'GET /users/{user_id}/tokens', 'GET /chat/completions/{completion_id}/stream']) {
      expect(withParameters.map(([n]) => n)).toContain(name)
    }
    for (const [name, op] of withParameters) expect(Object.keys(op.responses), name).toContain('422')
  })

  it('every error response is the OpenAI envelope', () => {
    for (const [name, op] of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && name !== 'GET /health') expect(response.content?.['application/json']?.schema, `${name} ${status}`).toEqual({ $ref: '#/components/schemas/Error' })
      }
    }
  })

  it('what the document promises is what an over-long id gets', async () => {
    const person = await createPerson(unique('org'))
    const res = await call('GET', `/models/${'m'.repeat(101)}`, { token: person.token })
    expect(res.status).toBe(422)
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ param: 'model', type: 'invalid_request_error' })
  })
})

describe('streams', () => {
  it('an event-stream answer is described event by event, as clients and validators read it', () => {
    const streaming = operations.filter(([, op]) => op.responses['200']?.content?.['text/event-stream'])
    expect(streaming.map(([name]) => name).sort()).toEqual(['GET /chat/completions/{completion_id}/stream', 'POST /chat/completions'])
    for (const [, op] of streaming) expect(op.responses['200']!.content!['text/event-stream']!.schema).toEqual({ $ref: '#/components/schemas/ServerSentEvent' })
    expect(doc.components.schemas.ServerSentEvent).toMatchObject({ type: 'object', required: ['data'], properties: { data: { type: 'string' } } })
  })
})
