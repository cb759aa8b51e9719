/**
 * @module An R2 bucket bound to the Worker, read as a source through the bucket port. R2's own
 * listing is in key order with a cursor, which is what the sync's resumable diff needs.
 */
import { plainEtag, type BucketReader } from './bucket'

export function r2Bucket(bucket: R2Bucket, prefix: string): BucketReader {
  return {
    async list(cursor, limit) {
      const page = await bucket.list({ prefix: prefix || undefined, cursor: cursor ?? undefined, limit: Math.min(1000, limit) })
      return {
        objects: page.objects
          .filter((o) => !(o.key.endsWith('/') && o.size === 0))
          .map((o) => ({ key: o.key, etag: plainEtag(o.etag), size: o.size, modifiedAt: o.uploaded.getTime() })),
        cursor: page.truncated ? page.cursor : null,
      }
    },
    async read(key) {
      const object = await bucket.get(key)
      if (!object) return null
      return { bytes: new Uint8Array(await object.arrayBuffer()), etag: plainEtag(object.etag) }
    },
  }
}
