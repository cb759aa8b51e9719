/**
 * Checks a request's SigV4 `Authorization` header against the secret of its access key, as S3 does.
 * s3rver 3.7.1 checks only that a V4 request names a known access key ("V4 signatures have incomplete
 * support"), so a wrong secret would pass; the tests' server puts this check in front of it.
 * Written from the SigV4 specification with node:crypto, not with the signer Cairn uses, so that a
 * mistake in how Cairn signs shows up as a refusal. The payload's hash is taken as declared.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export type Refusal = { status: number; code: string; message: string }

/** S3 refuses a request signed further than this from its own clock. */
const MAX_SKEW_MS = 15 * 60 * 1000

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex')
const hmac = (key: string | Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest()
const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
/** Query strings may carry a space as '+' (URLSearchParams does); the canonical form has '%20'. */
const decodeQueryPart = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '))

/** null when the request is signed with the secret of its access key; otherwise the refusal S3 would send. */
export function checkSignature(request: IncomingMessage, secrets: ReadonlyMap<string, string>, now = Date.now()): Refusal | null {
  const authorization = request.headers.authorization
  if (!authorization) return { status: 403, code: 'AccessDenied', message: 'Access Denied' }
  const match = AUTHORIZATION.exec(authorization)
  if (!match) return { status: 400, code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' }
  const [, accessKeyId, date, region, service, signedHeaders, signature] = match as unknown as [string, string, string, string, string, string, string]
  const secret = secrets.get(accessKeyId)
  if (secret === undefined) return { status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' }

  const amzDate = String(request.headers['x-amz-date'] ?? '')
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate)
  if (!stamp || !amzDate.startsWith(date)) return { status: 403, code: 'AccessDenied', message: 'AWS authentication requires a valid X-Amz-Date header matching the credential scope.' }
  const signedAt = Date.UTC(+stamp[1]!, +stamp[2]! - 1, +stamp[3]!, +stamp[4]!, +stamp[5]!, +stamp[6]!)
  if (Math.abs(now - signedAt) > MAX_SKEW_MS) return { status: 403, code: 'RequestTimeTooSkewed', message: 'The difference between the request time and the current time is too large.' }

  const names = signedHeaders.split(';')
  if (!names.includes('host') || !names.includes('x-amz-date')) return { status: 403, code: 'AccessDenied', message: 'The host and x-amz-date headers must be signed.' }
  const payloadHash = request.headers['x-amz-content-sha256']
  if (typeof payloadHash !== 'string') return { status: 400, code: 'InvalidRequest', message: 'Missing required header for this request: x-amz-content-sha256' }

  const target = request.url ?? '/'
  const queryAt = target.indexOf('?')
  const rawPath = queryAt < 0 ? target : target.slice(0, queryAt)
  const rawQuery = queryAt < 0 ? '' : target.slice(queryAt + 1)
  let canonicalUri: string
  let canonicalQuery: string
  try {
    canonicalUri = rawPath.split('/').map((segment) => rfc3986(decodeURIComponent(segment))).join('/')
    canonicalQuery = rawQuery
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=')
        const name = decodeQueryPart(at < 0 ? pair : pair.slice(0, at))
        const value = at < 0 ? '' : decodeQueryPart(pair.slice(at + 1))
        return [rfc3986(name), rfc3986(value)] as const
      })
      .sort(([n1, v1], [n2, v2]) => (n1 < n2 ? -1 : n1 > n2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
      .map(([name, value]) => `${name}=${value}`)
      .join('&')
  } catch {
    return { status: 400, code: 'InvalidURI', message: "Couldn't parse the specified URI." }
  }
  const canonicalHeaders = names.map((name) => `${name}:${String(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('')
  const canonicalRequest = [request.method ?? 'GET', canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n')
  const scope = `${date}/${region}/${service}/aws4_request`
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n')
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request')
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest()
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return { status: 403, code: 'SignatureDoesNotMatch', message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.' }
  }
  return null
}

/** A refusal as S3 writes it. */
export function refusalXml({ code, message }: Refusal): string {
  const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message><RequestId>0</RequestId></Error>`
}
