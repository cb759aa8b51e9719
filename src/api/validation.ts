/**
 * @module Turns zod validation failures into 422s whose `param` names the offending field,
 * written as a client would spell it (`messages[0].content`).
 */
import type { Hook } from '@hono/zod-openapi'
import type { z } from '@hono/zod-openapi'
import { invalid } from './errors'

type Issue = z.core.$ZodIssue

export function paramPath(path: readonly PropertyKey[]): string {
  let out = ''
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`
    else out += out === '' ? String(key) : `.${String(key)}`
  }
  return out
}

function describe(issue: Issue, param: string): string {
  if (param === '') return `The request body is invalid: ${issue.message}. Send a JSON object with the documented fields.`
  const name = param
  // Zod leaves the judged input off its issues, so its own wording is what tells a missing field from a wrong one.
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return `${name} is required.`
  if (issue.code === 'unrecognized_keys') return `${name}: unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}.`
  return `${name}: ${issue.message}`
}

/** The `defaultHook` for every OpenAPI route: the first issue names `param`, the message lists them all. */
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (result.success) return
  const issues = result.error.issues
  const first = issues[0]!
  const param = paramPath(first.path)
  // A query or path parameter's issue has its name as the path; body issues are relative to the body.
  const message = issues
    .slice(0, 5)
    .map((issue) => describe(issue, paramPath(issue.path)))
    .join(' ')
  throw invalid(message, param || null)
}
