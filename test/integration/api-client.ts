/**
 * @module A small client for driving the API Worker from tests, and fixtures of
 * people: orgs with admins, writers and readers, each with a real token.
 */
import { env, SELF } from 'cloudflare:test'
import { expect } from 'vitest'

export const ADMIN = env.ADMIN_TOKEN

export type CallOptions = { token?: string | null; body?: unknown; headers?: Record<string, string>; rawBody?: BodyInit; form?: FormData }

export async function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  let body: BodyInit | undefined = options.form ?? options.rawBody
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

/** A multipart upload form: `files` as [name, bytes or text], plus the other fields. */
export function uploadForm(files: Array<[string, Uint8Array | string]>, fields: Record<string, string> = {}): FormData {
  const form = new FormData()
  for (const [name, content] of files) form.append('file', new File([content], name))
  for (const [key, value] of Object.entries(fields)) form.append(key, value)
  return form
}

/** Uploads one small text file to a workspace and returns its file object. */
export async function uploadText(token: string, workspace: string, name = `${unique('note')}.txt`, text = 'The quick brown fox jumps over the lazy dog.') {
  return callJson('POST', '/files', { token, form: uploadForm([[name, text]], { workspace }) })
}

/** Polls a file until ingestion ends (`processed` or `error`), through the real local queue. */
export async function waitForIngest(token: string, fileId: string, timeoutMs = 60_000): Promise<any> {
  const started = Date.now()
  for (;;) {
    const file = await callJson('GET', `/files/${fileId}`, { token })
    if (file.status === 'processed' || file.status === 'error') return file
    if (Date.now() - started > timeoutMs) throw new Error(`file ${fileId} still ${file.status} after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** Waits for many files of one workspace at once, with one listing per poll instead of one request per file. */
export async function waitForIngestAll(token: string, workspace: string, fileIds: string[], timeoutMs = 120_000): Promise<any[]> {
  const started = Date.now()
  for (;;) {
    const list = await callJson('GET', `/files?workspace=${workspace}`, { token })
    const byId = new Map<string, any>(list.data.map((f: { id: string }) => [f.id, f]))
    const files = fileIds.map((id) => byId.get(id))
    if (files.every((f) => f && (f.status === 'processed' || f.status === 'error'))) return files
    if (Date.now() - started > timeoutMs) throw new Error(`files still processing after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
