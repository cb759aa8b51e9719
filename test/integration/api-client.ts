/**
 * @module A small client for driving the API Worker from tests, and fixtures of
 * people: orgs with admins, writers and readers, each with a real token.
 */
import { env, SELF } from 'cloudflare:test'
import { expect } from 'vitest'

export const ADMIN = env.ADMIN_TOKEN

export type CallOptions = { token?: string | null; body?: unknown; headers?: Record<string, string>; rawBody?: BodyInit }

export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: BodyInit | undefined = options.rawBody
  if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    headers['content-type'] ??= 'application/json'
  }
  return SELF.fetch(`http://cairn.test${path}`, { method, headers, body })
}

export async function callJson<T = any>(method: string, path: string, options: CallOptions = {}, status = 200): Promise<T> {
  const res = await call(method, path, options)
  const text = await res.text()
  expect(res.status, `${method} ${path} → ${res.status} ${text}`).toBe(status)
  return (text ? JSON.parse(text) : null) as T
}

let counter = 0
/** A name no other test uses, so tests share one database without stepping on each other. */
export function unique(prefix: string): string {
  counter += 1
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 6)}`
}

export type Person = { id: string; email: string; orgId: string; token: string }

export async function createPerson(org: string, name = unique('user')): Promise<Person> {
  const email = `${name}@example.com`
  const user = await callJson('POST', '/users', { token: ADMIN, body: { email, org } })
  const token = await callJson('POST', `/users/${user.id}/tokens`, { token: ADMIN, body: { name: 'test' } })
  return { id: user.id, email, orgId: user.org_id, token: token.token }
}

/** An org with a workspace `ws` in which `admin`, `writer` and `reader` hold those levels, and `outsider` (same org) none. */
export async function createOrgWithWorkspace() {
  const org = unique('org')
  const admin = await createPerson(org)
  const writer = await createPerson(org)
  const reader = await createPerson(org)
  const outsider = await createPerson(org)
  const ws = unique('ws')
  await callJson('POST', '/workspaces', { token: admin.token, body: { id: ws, name: 'Test workspace' } })
  await call('POST', `/workspaces/${ws}/user`, { token: admin.token, body: { user: writer.id, access: 'writer' } })
  await call('POST', `/workspaces/${ws}/user`, { token: admin.token, body: { user: reader.id, access: 'reader' } })
  return { org, ws, admin, writer, reader, outsider }
}
