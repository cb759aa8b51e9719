/**
 * @module What a bucket source reads through, whichever store holds it (an R2 binding, an S3-compatible
 * endpoint): a listing page by page, and one object's bytes. The sync (sync.ts) diffs listings by etag.
 */

/** An entity tag as a sync compares it: without its quotes or weak marker. */
export const plainEtag = (etag: string) => etag.replace(/^W\//, '').replace(/^"|"$/g, '')

/** One object as a listing shows it. */
export type BucketObject = {
  key: string
  /** The store's entity tag, quotes stripped; what a sync compares to notice a change. */
  etag: string
  size: number
  /** Milliseconds since the epoch, when the store says. */
  modifiedAt: number | null
}

export type BucketPage = {
  objects: BucketObject[]
  /** Where the next page starts; null when this page was the last. */
  cursor: string | null
}

export interface BucketReader {
  /** One page of the listing (in key order), at most `limit` objects, from `cursor` (null: the start). */
  list(cursor: string | null, limit: number): Promise<BucketPage>
  /** An object's bytes and etag; null when it is gone. Throws `SourceAccessError` when the store refuses. */
  read(key: string): Promise<{ bytes: Uint8Array; etag: string } | null>
}
