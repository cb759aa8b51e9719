/**
 * @module Writing to the tests' S3 server (test/s3-server) from workerd with signed requests, as a
 * bucket's owner would: create a bucket, put and delete objects. Each test makes its own bucket.
 */
import { AwsClient } from 'aws4fetch'

/** s3rver's own keys, the only ones the tests' server accepts. */
export const S3_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const

// No retries: a refused write should fail the test where it happened.
const client = new AwsClient({ ...S3_KEYS, region: 'us-east-1', service: 's3', retries: 0 })

const objectUrl = (url: string, bucket: string, key: string) => `${url}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`

/** A bucket name no other test uses (S3's rules: 3–63 lowercase letters, digits and hyphens). */
export const freshBucketName = (label = 'bkt') => `${label}-${crypto.randomUUID()}`.toLowerCase().slice(0, 63)

async function must(response: Response, what: string): Promise<void> {
  if (!response.ok) throw new Error(`${what}: ${response.status} ${await response.text()}`)
  await response.body?.cancel()
}

export async function createBucket(url: string, bucket: string): Promise<void> {
  await must(await client.fetch(`${url}/${bucket}`, { method: 'PUT' }), `create bucket ${bucket}`)
}

export async function putObject(url: string, bucket: string, key: string, bytes: Uint8Array, contentType = 'application/octet-stream'): Promise<void> {
  await must(await client.fetch(objectUrl(url, bucket, key), { method: 'PUT', body: bytes, headers: { 'content-type': contentType } }), `put ${key}`)
}

export async function deleteObject(url: string, bucket: string, key: string): Promise<void> {
  await must(await client.fetch(objectUrl(url, bucket, key), { method: 'DELETE' }), `delete ${key}`)
}
