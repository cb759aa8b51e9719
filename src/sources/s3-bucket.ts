/**
 * @module An S3-compatible bucket (AWS, MinIO, R2's S3 API, …) read as a source through the bucket port:
 * ListObjectsV2 pages and plain GETs, signed with SigV4; the store's refusals become `SourceAccessError`.
 */
import { AwsClient } from 'aws4fetch'
import { XMLParser } from 'fast-xml-parser'
import type { BucketObject, BucketReader } from './bucket'
import { SourceAccessError } from './errors'

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

/** ListObjectsV2 returns at most this many keys a page, whatever is asked. */
const MAX_KEYS = 1000
/** Enough of a refusal's message to say what went wrong, not a page of HTML from a proxy. */
const MAX_MESSAGE_CHARS = 300

const xml = new XMLParser({
  // Keys are text, never numbers ("007") or booleans ("true"), and keep their spaces.
  parseTagValue: false,
  trimValues: false,
  // Stores escape characters such as `'` as numeric references (`&#x27;`), which only this option decodes.
  htmlEntities: true,
  // A page with one object has one <Contents>, which would otherwise come back as an object.
  isArray: (_name, jpath) => jpath === 'ListBucketResult.Contents',
})

type ListBucketResult = {
  IsTruncated?: string
  NextContinuationToken?: string
  Contents?: { Key?: string; ETag?: string; Size?: string; LastModified?: string }[]
}

const stripQuotes = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '')

/** A key segment as S3 expects it in a path: every reserved character escaped, `/` left to separate. */
const encodeSegment = (segment: string) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/**
 * A URL's parser folds `.` and `..` segments (escaped or not) into their neighbours, so such a key
 * would be requested, and signed, as another key: it cannot be read over HTTP at all.
 */
const hasDotSegment = (key: string) => key.split('/').some((segment) => segment === '.' || segment === '..')

/**
 * @example
 * const reader = s3Bucket({ endpoint: 'https://s3.eu-west-1.amazonaws.com', bucket: 'contracts', region: 'eu-west-1', prefix: 'signed/', pathStyle: false }, keys)
 * const first = await reader.list(null, 100)
 */
export function s3Bucket(location: S3Location, credentials: S3Credentials, fetcher: typeof fetch = fetch): BucketReader {
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
  const objectUrl = (key: string) => new URL(`${root.origin}${root.pathname.replace(/\/$/, '')}/${key.split('/').map(encodeSegment).join('/')}`)

  async function send(url: URL): Promise<Response> {
    const request = await signer.sign(url.toString(), { method: 'GET' })
    try {
      return await fetcher(request)
    } catch (error) {
      throw new SourceAccessError(`Could not reach the S3 endpoint ${url.origin}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  async function refusal(response: Response): Promise<SourceAccessError> {
    const { code, message } = await errorOf(response)
    const reason = code ? `${code}${message ? ` (${message})` : ''}` : `HTTP ${response.status} ${response.statusText}`.trim()
    return new SourceAccessError(`The S3 bucket '${location.bucket}' refused the request: ${reason}`)
  }

  return {
    async list(cursor, limit) {
      const url = new URL(root)
      url.searchParams.set('list-type', '2')
      if (location.prefix) url.searchParams.set('prefix', location.prefix)
      url.searchParams.set('max-keys', String(Math.max(1, Math.min(MAX_KEYS, limit))))
      if (cursor) url.searchParams.set('continuation-token', cursor)
      const response = await send(url)
      if (!response.ok) throw await refusal(response)
      const body = await response.text()
      let result: ListBucketResult | undefined
      try {
        result = (xml.parse(body) as { ListBucketResult?: ListBucketResult }).ListBucketResult
      } catch {
        result = undefined
      }
      if (!result || typeof result !== 'object') {
        throw new SourceAccessError(`The S3 endpoint ${endpoint.origin} answered the listing of bucket '${location.bucket}' with something other than an S3 listing; check the endpoint and the path-style setting.`)
      }
      const objects: BucketObject[] = []
      for (const entry of result.Contents ?? []) {
        const key = entry.Key ?? ''
        const size = Number(entry.Size ?? 0)
        // Consoles create "folders" as empty keys ending in '/'; they hold no document.
        if (!key || (key.endsWith('/') && size === 0) || hasDotSegment(key)) continue
        const modified = entry.LastModified ? Date.parse(entry.LastModified) : NaN
        objects.push({ key, etag: stripQuotes(entry.ETag ?? ''), size, modifiedAt: Number.isNaN(modified) ? null : modified })
      }
      const truncated = result.IsTruncated === 'true'
      // Ending here would make the sync remove every object after this page as if it were deleted.
      if (truncated && !result.NextContinuationToken) {
        throw new SourceAccessError(`The S3 endpoint ${endpoint.origin} cut the listing of bucket '${location.bucket}' short without saying where it goes on; it may not support ListObjectsV2.`)
      }
      return { objects, cursor: truncated ? result.NextContinuationToken! : null }
    },

    async read(key) {
      if (hasDotSegment(key)) throw new SourceAccessError(`The object '${key}' in S3 bucket '${location.bucket}' cannot be requested over HTTP: its key has a '.' or '..' segment.`)
      const response = await send(objectUrl(key))
      if (response.status === 404) {
        const error = await refusal(response)
        // A missing bucket is also a 404, and must not read as every object deleted.
        if (error.message.includes(': NoSuchKey')) return null
        throw error
      }
      if (!response.ok) throw await refusal(response)
      return { bytes: new Uint8Array(await response.arrayBuffer()), etag: stripQuotes(response.headers.get('ETag') ?? '') }
    },
  }
}

/** Proves the settings work by listing one key; throws the `SourceAccessError` a sync would meet. */
export async function checkS3Access(location: S3Location, credentials: S3Credentials, fetcher: typeof fetch = fetch): Promise<void> {
  await s3Bucket(location, credentials, fetcher).list(null, 1)
}

/** The `<Error><Code>` and `<Message>` of a refusal, when its body is S3's XML. */
async function errorOf(response: Response): Promise<{ code: string | null; message: string | null }> {
  try {
    const parsed = xml.parse(await response.text()) as { Error?: { Code?: unknown; Message?: unknown } }
    const code = typeof parsed.Error?.Code === 'string' ? parsed.Error.Code.trim() : null
    const message = typeof parsed.Error?.Message === 'string' ? parsed.Error.Message.trim().slice(0, MAX_MESSAGE_CHARS) : null
    return { code: code || null, message: message || null }
  } catch {
    return { code: null, message: null }
  }
}
