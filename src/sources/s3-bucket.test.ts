/**
 * The S3 bucket reader against a real S3-compatible server on 127.0.0.1 (test/s3-server: s3rver behind
 * a SigV4 check), and, for what that server cannot show (virtual-hosted URLs, odd listings), a fake fetch.
 */
import { describe, expect, inject, it } from 'vitest'
import { createBucket, freshBucketName, putObject, S3_KEYS } from '../../test/support/s3-objects'
import type { BucketObject } from './bucket'
import { SourceAccessError } from './errors'
import { checkS3Access, s3Bucket, type S3Location } from './s3-bucket'

const s3Url = inject('s3Url')
const text = (value: string) => new TextEncoder().encode(value)
const md5 = async (bytes: Uint8Array) => [...new Uint8Array(await crypto.subtle.digest('MD5', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')
const at = (bucket: string, prefix = ''): S3Location => ({ endpoint: s3Url, bucket, region: 'us-east-1', prefix, pathStyle: true })

/** A fresh bucket holding `objects`, put one by one. */
async function bucketWith(objects: Record<string, string>): Promise<string> {
  const bucket = freshBucketName()
  await createBucket(s3Url, bucket)
  for (const [key, body] of Object.entries(objects)) await putObject(s3Url, bucket, key, text(body))
  return bucket
}

async function refusalOf(promise: Promise<unknown>): Promise<SourceAccessError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SourceAccessError)
  return error as SourceAccessError
}

describe('s3Bucket against an S3-compatible server', () => {
  it('lists a prefix page by page, in key order, with full keys, sizes, etags and dates', async () => {
    const docs = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`docs/${i}.txt`, `document number ${i}`.repeat(i + 1)]))
    const bucket = await bucketWith({ ...docs, 'other/x.txt': 'outside the prefix', 'docz.txt': 'shares the letters, not the folder' })
    const reader = s3Bucket(at(bucket, 'docs/'), S3_KEYS)

    const pages: { objects: BucketObject[]; cursor: string | null }[] = []
    let cursor: string | null = null
    do {
      const page = await reader.list(cursor, 3)
      pages.push(page)
      cursor = page.cursor
    } while (cursor && pages.length < 10)

    expect(pages.map((p) => p.objects.map((o) => o.key))).toEqual([
      ['docs/0.txt', 'docs/1.txt', 'docs/2.txt'],
      ['docs/3.txt', 'docs/4.txt', 'docs/5.txt'],
      ['docs/6.txt'],
    ])
    expect(pages.map((p) => p.cursor === null)).toEqual([false, false, true])
    expect(pages[0]!.cursor).not.toBe(pages[1]!.cursor)
    const listed = pages.flatMap((p) => p.objects)
    for (const object of listed) {
      const body = text(docs[object.key]!)
      expect(object.size).toBe(body.byteLength)
      expect(object.etag).toBe(await md5(body))
      expect(Math.abs(object.modifiedAt! - Date.now())).toBeLessThan(5 * 60_000)
    }
  })

  it('lists the whole bucket without a prefix, skipping folder markers', async () => {
    const bucket = await bucketWith({ 'a.txt': 'a', 'reports/': '', 'reports/q1.md': '# Q1', 'reports/empty/': '' })
    const page = await s3Bucket(at(bucket), S3_KEYS).list(null, 100)
    expect(page).toMatchObject({ cursor: null, objects: [{ key: 'a.txt' }, { key: 'reports/q1.md' }] })
    expect(page.objects).toHaveLength(2)
  })

  it('reads bytes, and an etag equal to the listing’s, for keys that need escaping in URLs and XML', async () => {
    const keys = ["notes/a & b's <draft>.md", 'ünï cödé/x+y z (1).txt', '007', 'true', '100% sure/50%20off.txt']
    const bucket = await bucketWith(Object.fromEntries(keys.map((key) => [key, `body of ${key}`])))
    const reader = s3Bucket(at(bucket), S3_KEYS)
    const { objects } = await reader.list(null, 100)
    expect(objects.map((o) => o.key).sort()).toEqual([...keys].sort())
    for (const object of objects) {
      const read = await reader.read(object.key)
      expect(new TextDecoder().decode(read!.bytes)).toBe(`body of ${object.key}`)
      expect(read!.etag).toBe(object.etag)
      expect(read!.etag).toMatch(/^[0-9a-f]{32}$/)
    }
  })

  it('reads a missing key as null, but a missing bucket as a refusal', async () => {
    const bucket = await bucketWith({ 'here.txt': 'here' })
    expect(await s3Bucket(at(bucket), S3_KEYS).read('gone.txt')).toBeNull()
    const missing = await refusalOf(s3Bucket(at(`${bucket}-missing`), S3_KEYS).read('here.txt'))
    expect(missing.message).toBe(`The S3 bucket '${bucket}-missing' refused the request: NoSuchBucket (The specified bucket does not exist)`)
  })

  it('refuses a wrong secret with a sentence that holds neither the secret nor a signature', async () => {
    const bucket = await bucketWith({ 'a.txt': 'a' })
    const secretAccessKey = 'not-the-secret-4b1d'
    const reader = s3Bucket(at(bucket), { accessKeyId: S3_KEYS.accessKeyId, secretAccessKey })
    for (const refused of [reader.list(null, 10), reader.read('a.txt'), checkS3Access(at(bucket), { accessKeyId: S3_KEYS.accessKeyId, secretAccessKey })]) {
      const error = await refusalOf(refused)
      expect(error.message).toMatch(new RegExp(`^The S3 bucket '${bucket}' refused the request: SignatureDoesNotMatch \\(The request signature we calculated does not match`))
      expect(error.message).not.toContain(secretAccessKey)
      expect(error.message).not.toMatch(/Signature=|X-Amz-|[0-9a-f]{64}/)
    }
  })

  it('refuses an unknown access key, and proves good settings by listing', async () => {
    const bucket = await bucketWith({ 'a.txt': 'a' })
    const error = await refusalOf(checkS3Access(at(bucket), { accessKeyId: 'NOBODY', secretAccessKey: S3_KEYS.secretAccessKey }))
    expect(error.message).toContain(`The S3 bucket '${bucket}' refused the request: InvalidAccessKeyId`)
    await expect(checkS3Access(at(bucket), S3_KEYS)).resolves.toBeUndefined()
  })

  it('says which endpoint it could not reach', async () => {
    const location = { ...at('any-bucket'), endpoint: 'http://127.0.0.1:9/' }
    const error = await refusalOf(checkS3Access(location, S3_KEYS))
    expect(error.message).toMatch(/^Could not reach the S3 endpoint http:\/\/127\.0\.0\.1:9: \S/)
    expect((await refusalOf(s3Bucket(location, S3_KEYS).read('a.txt'))).message).toMatch(/^Could not reach the S3 endpoint http:\/\/127\.0\.0\.1:9: /)
  })
})

describe('s3Bucket requests and odd answers', () => {
  /** A fetch that records each request and answers with `respond`. */
  function recording(respond: (request: Request) => Response) {
    const requests: Request[] = []
    const fetcher = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init)
      requests.push(request)
      return respond(request)
    }) as typeof fetch
    return { requests, fetcher }
  }
  const listing = (contents: string, more = '') =>
    new Response(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name>${more}${contents}</ListBucketResult>`, { headers: { 'content-type': 'application/xml' } })
  const aws: S3Location = { endpoint: 'https://s3.eu-west-1.amazonaws.com', bucket: 'contracts', region: 'eu-west-1', prefix: 'signed deals/', pathStyle: false }
  const keys = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-1' }

  it('addresses the bucket by host unless path-style, signs for the region, and caps a page at 1000 keys', async () => {
    const { requests, fetcher } = recording(() => listing('<IsTruncated>false</IsTruncated>'))
    await s3Bucket(aws, keys, fetcher).list('token+/=', 5000)
    await s3Bucket({ ...aws, endpoint: 'https://minio.example.com/s3/', pathStyle: true }, keys, fetcher).list(null, 0)
    const [virtual, path] = requests.map((r) => new URL(r.url))
    expect(virtual!.host).toBe('contracts.s3.eu-west-1.amazonaws.com')
    expect(virtual!.pathname).toBe('/')
    expect(Object.fromEntries(virtual!.searchParams)).toEqual({ 'list-type': '2', prefix: 'signed deals/', 'max-keys': '1000', 'continuation-token': 'token+/=' })
    expect(path!.host).toBe('minio.example.com')
    expect(path!.pathname).toBe('/s3/contracts')
    expect(path!.searchParams.get('max-keys')).toBe('1')
    expect(requests[0]!.headers.get('Authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, /)
    expect(requests[0]!.headers.get('X-Amz-Security-Token')).toBe('session-token-1')
  })

  it('reads a single <Contents> as one object, its key verbatim', async () => {
    const one = '<Contents><Key>  007 </Key><ETag>&quot;9b2cf535f27731c974343645a3985328-2&quot;</ETag><Size>12</Size><LastModified>2024-05-01T10:00:00.000Z</LastModified></Contents>'
    const { fetcher } = recording(() => listing(one, '<IsTruncated>false</IsTruncated>'))
    expect(await s3Bucket(aws, keys, fetcher).list(null, 10)).toEqual({
      cursor: null,
      objects: [{ key: '  007 ', etag: '9b2cf535f27731c974343645a3985328-2', size: 12, modifiedAt: Date.UTC(2024, 4, 1, 10) }],
    })
  })

  it('skips keys a URL cannot carry, and will not read them as another key', async () => {
    const dotted = '<Contents><Key>a/../b.txt</Key><ETag>"e1"</ETag><Size>3</Size></Contents><Contents><Key>./c.txt</Key><ETag>"e2"</ETag><Size>3</Size></Contents>'
    const { requests, fetcher } = recording(() => listing(`${dotted}<Contents><Key>b.txt</Key><ETag>"e3"</ETag><Size>3</Size></Contents>`, '<IsTruncated>false</IsTruncated>'))
    expect((await s3Bucket(aws, keys, fetcher).list(null, 10)).objects.map((o) => o.key)).toEqual(['b.txt'])
    await expect(s3Bucket(aws, keys, fetcher).read('a/../b.txt')).rejects.toThrow(SourceAccessError)
    expect(requests).toHaveLength(1)
  })

  it('refuses a listing that is not S3’s, or is cut short without a cursor', async () => {
    const html = recording(() => new Response('<html><body>Welcome</body></html>', { headers: { 'content-type': 'text/html' } }))
    expect((await refusalOf(s3Bucket(aws, keys, html.fetcher).list(null, 10))).message).toContain('something other than an S3 listing')
    const cut = recording(() => listing('<Contents><Key>a</Key><ETag>"e"</ETag><Size>1</Size></Contents>', '<IsTruncated>true</IsTruncated>'))
    expect((await refusalOf(s3Bucket(aws, keys, cut.fetcher).list(null, 1))).message).toContain('cut the listing')
  })

  it('names the status when a refusal is not S3’s XML', async () => {
    const { fetcher } = recording(() => new Response('upstream down', { status: 502, statusText: 'Bad Gateway' }))
    const error = await refusalOf(s3Bucket(aws, keys, fetcher).read('a.txt'))
    expect(error.message).toBe("The S3 bucket 'contracts' refused the request: HTTP 502 Bad Gateway")
    expect(error.message).not.toContain(keys.secretAccessKey)
  })
})
