/**
 * The console's one way to Cairn: the public API, same origin, with the signed-in token.
 * Errors come back in OpenAI's shape; they are thrown as `ApiError` with the message a person reads.
 */
import { session } from './session'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message)
  }
}

async function failure(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as { error?: { message?: string; param?: string; code?: string } } | null
  const e = body?.error
  if (res.status === 401) session.expired()
  return new ApiError(res.status, e?.message ?? `${res.status} ${res.statusText}`, e?.param ?? null, e?.code ?? null)
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = session.token()
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra }
}

/** A raw authorised request; the caller reads the body (bytes, streams). */
export async function request(method: string, path: string, init: { body?: BodyInit; json?: unknown; signal?: AbortSignal } = {}): Promise<Response> {
  const isJson = init.json !== undefined
  const res = await fetch(`/v1${path}`, {
    method,
    headers: headers(isJson ? { 'content-type': 'application/json' } : {}),
    body: isJson ? JSON.stringify(init.json) : init.body,
    signal: init.signal,
  })
  if (!res.ok) throw await failure(res)
  return res
}

/** A JSON request and its JSON answer. */
export async function api<T>(method: string, path: string, json?: unknown): Promise<T> {
  const res = await request(method, path, json === undefined ? {} : { json })
  return (res.status === 204 ? null : await res.json()) as T
}

/** An image or file the API serves behind the token, as an object URL the page may show. */
export async function objectUrl(path: string): Promise<string> {
  const res = await request('GET', path)
  return URL.createObjectURL(await res.blob())
}

/** A query string from the defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

/**
 * Uploads one file with progress (fetch cannot report upload progress; XMLHttpRequest can).
 * Resolves with the file object, rejects with an `ApiError`.
 */
export function uploadFile(form: FormData, onProgress: (fraction: number) => void): Promise<ApiFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', '/v1/files')
    const token = session.token()
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`)
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onerror = () => reject(new ApiError(0, 'The upload did not reach Cairn: the connection failed.'))
    xhr.onload = () => {
      let body: any = null
      try {
        body = JSON.parse(xhr.responseText)
      } catch {}
      if (xhr.status >= 200 && xhr.status < 300) resolve(Array.isArray(body) ? body[0] : body)
      else reject(new ApiError(xhr.status, body?.error?.message ?? `Upload failed (${xhr.status})`, body?.error?.param ?? null))
    }
    xhr.send(form)
  })
}

export type ApiFile = {
  id: string
  filename: string
  bytes: number
  created_at: number
  status: 'uploaded' | 'processing' | 'processed' | 'error'
  status_details?: string | null
  metadata?: Record<string, unknown>
  workspace?: string
  progress?: { pages_done: number; pages_total: number | null; chunks: number }
  [key: string]: unknown
}

export type Workspace = { id: string; name: string; access?: string; [key: string]: unknown }
export type Me = { id: string; email: string; org_id: string; token: { id: string } | null; signed_in_with: 'token' | 'access' }
