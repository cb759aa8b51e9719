/**
 * @module Reaching an S3-compatible bucket, without reading its listings: where its URLs are, a signed
 * GET, a refusal turned into a sentence, and the one-key listing that proves settings work. The API
 * Worker checks a source with this when it is connected; the listing parser (s3-bucket.ts) stays in
 * the ingest Worker's bundle.
 */
import { AwsClient } from 'aws4fetch'
import { SourceAccessError } from './errors'
import type { S3Settings } from './settings'

export type S3Location = {
  /** Scheme and host, and a path if the store lives under one: `https://s3.us-east-1.amazonaws.com`. */
  endpoint: string
  bucket: string
  region: string
  /** Only keys under it are listed; '' for the whole bucket. */
  prefix: string
  /** true: `endpoint/bucket/key`; false: `bucket.endpoint-host/key`. */
  pathStyle: boolean
}

export type S3Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string }

/** Enough of a refusal's message to say what went wrong, not a page of HTML from a proxy. */
const MAX_MESSAGE_CHARS = 300

export function s3LocationOf(settings: S3Settings): S3Location {
  return { endpoint: settings.endpoint, bucket: settings.bucket, region: settings.region, prefix: settings.prefix, pathStyle: settings.path_style }
}

/** A key segment as S3 expects it in a path: every reserved character escaped, `/` left to separate. */
export const encodeSegment = (segment: string) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** The bucket's root URL (path-style or virtual-hosted) and a signed GET to any URL under it. */
export function s3Endpoint(location: S3Location, credentials: S3Credentials, fetcher: typeof fetch) {
  // Retries stay with the sync, which resumes from its last saved page; a refusal should surface at once.
  const signer = new AwsClient({ ...credentials, service: 's3', region: location.region, retries: 0 })
  const endpoint = new URL(location.endpoint)
  const basePath = endpoint.pathname.replace(/\/+$/, '')
  const root = new URL(endpoint.origin)
  if (location.pathStyle) root.pathname = `${basePath}/${encodeSegment(location.bucket)}`
  else {
    root.hostname = `${location.bucket}.${endpoint.hostname}`
    root.pathname = basePath || '/'
  }
  return {
    endpoint,
    root,
    /** The URL listing up to `maxKeys` keys under the prefix, from `cursor`. */
    listUrl(maxKeys: number, cursor: string | null): URL {
      const url = new URL(root)
      url.searchParams.set('list-type', '2')
      if (location.prefix) url.searchParams.set('prefix', location.prefix)
      url.searchParams.set('max-keys', String(maxKeys))
      if (cursor) url.searchParams.set('continuation-token', cursor)
      return url
    },
    async send(url: URL): Promise<Response> {
      const request = await signer.sign(url.toString(), { method: 'GET' })
      try {
        return await fetcher(request)
      } catch (error) {
        throw new SourceAccessError(`Could not reach the S3 endpoint ${url.origin}: ${error instanceof Error ? error.message : String(error)}`)
      }
    },
    async refusal(response: Response): Promise<SourceAccessError> {
      const { code, message } = errorOf(await response.text().catch(() => ''))
      const reason = code ? `${code}${message ? ` (${message})` : ''}` : `HTTP ${response.status} ${response.statusText}`.trim()
      return new SourceAccessError(`The S3 bucket '${location.bucket}' refused the request: ${reason}`)
    },
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
const decode = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, name: string) =>
    name[0] === '#' ? String.fromCodePoint(name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10)) : (ENTITIES[name] ?? whole),
  )

/** The `<Error><Code>` and `<Message>` of a refusal, when its body is S3's XML (two flat elements: no parser needed). */
export function errorOf(body: string): { code: string | null; message: string | null } {
  if (!/<Error>/.test(body)) return { code: null, message: null }
  const field = (name: string) => decode(new RegExp(`<${name}>([^<]*)</${name}>`).exec(body)?.[1] ?? '').trim() || null
  return { code: field('Code'), message: field('Message')?.slice(0, MAX_MESSAGE_CHARS) ?? null }
}

/** Proves the settings work by listing one key; throws the `SourceAccessError` a sync would meet. */
export async function checkS3Access(location: S3Location, credentials: S3Credentials, fetcher: typeof fetch = fetch): Promise<void> {
  const s3 = s3Endpoint(location, credentials, fetcher)
  const response = await s3.send(s3.listUrl(1, null))
  if (!response.ok) throw await s3.refusal(response)
  if (!/<ListBucketResult[\s>]/.test(await response.text())) {
    throw new SourceAccessError(`The S3 endpoint ${s3.endpoint.origin} answered the listing of bucket '${location.bucket}' with something other than an S3 listing; check the endpoint and the path-style setting.`)
  }
}
