/**
 * @module An S3-compatible bucket (AWS, MinIO, R2's S3 API, …) read as a source through the bucket port:
 * ListObjectsV2 pages and plain GETs, signed with SigV4; the store's refusals become `SourceAccessError`.
 */
import { XMLParser } from 'fast-xml-parser'
import { plainEtag, type BucketObject, type BucketReader } from './bucket'
import { SourceAccessError } from './errors'
import { encodeSegment, s3Endpoint, type S3Credentials, type S3Location } from './s3-access'

export { checkS3Access, type S3Credentials, type S3Location } from './s3-access'

/** ListObjectsV2 returns at most this many keys a page, whatever is asked. */
const MAX_KEYS = 1000

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
  const { endpoint, root, listUrl, send, refusal } = s3Endpoint(location, credentials, fetcher)
  const objectUrl = (key: string) => new URL(`${root.origin}${root.pathname.replace(/\/$/, '')}/${key.split('/').map(encodeSegment).join('/')}`)

  return {
    async list(cursor, limit) {
      const response = await send(listUrl(Math.max(1, Math.min(MAX_KEYS, limit)), cursor))
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
        objects.push({ key, etag: plainEtag(entry.ETag ?? ''), size, modifiedAt: Number.isNaN(modified) ? null : modified })
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
      return { bytes: new Uint8Array(await response.arrayBuffer()), etag: plainEtag(response.headers.get('ETag') ?? '') }
    },
  }
}
