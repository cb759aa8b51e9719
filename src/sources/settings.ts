/**
 * @module What each type of source is told when it is connected, as stored in `sources.settings`
 * (and shown back, since nothing here is secret), plus the credentials an S3 source seals apart.
 */

/** An R2 bucket bound to both Workers under `binding`; `bucket_name` routes its event notifications here. */
export type R2Settings = {
  binding: string
  bucket_name: string | null
  prefix: string
  include: string[]
  exclude: string[]
}

/** An S3-compatible bucket reached over HTTPS with signed requests. */
export type S3Settings = {
  endpoint: string
  bucket: string
  region: string
  prefix: string
  /** `endpoint/bucket/key` (MinIO, most self-hosted stores) rather than `bucket.endpoint/key`. */
  path_style: boolean
  include: string[]
  exclude: string[]
}

export type S3Secret = { access_key_id: string; secret_access_key: string; session_token?: string }

/** A website: pages reached from `url` (and listed by `sitemap_url`) on the same site. */
export type WebSettings = {
  url: string
  sitemap_url: string | null
  /** Links followed from the start URL: 0 reads the start page (and the sitemap's pages) only. */
  max_depth: number
  max_pages: number
  /** Globs over the URL's path (`/docs/**`). */
  include: string[]
  exclude: string[]
}

export type SourceSettings = { type: 'r2'; settings: R2Settings } | { type: 's3'; settings: S3Settings; secret: S3Secret } | { type: 'web'; settings: WebSettings }

export const WEB_DEFAULTS = { max_depth: 2, max_pages: 200 } as const

/** The user agent a web source sends, and the one robots.txt rules are read for. */
export const CRAWLER_USER_AGENT = 'CairnBot/1.0 (+https://github.com/cairn)'
