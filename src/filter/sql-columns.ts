/**
 * @module What a filter can test, as SQL expressions: the columns a compiled filter reads. Its own
 * module so that both compilers of `like` (to-sql.ts, to-sql-like.ts) read it without importing each other.
 */

/** SQL expressions for what a filter can test, e.g. `{ id: 'f.id', …, metadata: 'f.metadata', page: 'c.page' }`. */
export type SqlColumns = {
  id: string
  filename: string
  bytes: string
  created_at: string
  purpose: string
  status: string
  user_id: string
  /** A TEXT column holding the metadata as a JSON object. */
  metadata: string
  /** Needed only for trees parsed with `chunkAttributes`. */
  page?: string
  modality?: string
}

/**
 * The columns of Cairn's own tables, `files` (and `chunks` for chunk attributes) under the given aliases.
 * @example tableColumns('f', 'c') // { id: 'f.id', …, metadata: 'f.metadata', page: 'c.page', modality: 'c.modality' }
 */
export function tableColumns(files: string, chunks?: string): SqlColumns {
  const columns: SqlColumns = {
    id: `${files}.id`,
    filename: `${files}.filename`,
    bytes: `${files}.bytes`,
    created_at: `${files}.created_at`,
    purpose: `${files}.purpose`,
    status: `${files}.status`,
    user_id: `${files}.user_id`,
    metadata: `${files}.metadata`,
  }
  return chunks ? { ...columns, page: `${chunks}.page`, modality: `${chunks}.modality` } : columns
}
