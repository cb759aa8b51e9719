/**
 * @module Listing a workspace's files: newest (or oldest) first, by purpose and by a filter
 * expression over metadata and file fields, a page at a time after a cursor, with the total the
 * filters match (the cursor aside).
 */
import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db/client'
import { files } from '../db/schema'
import { compileToSql, FilterSyntaxError, parseFilter, tableColumns } from '../filter'
import { DEFAULT_WORKSPACE } from '../tenancy/orgs'
import { unexpired, type FileCaller } from './access'
import { FileError } from './errors'
import type { FileRow } from './file-object'

export type FileListing = {
  /** Defaults to the org's `default` workspace. */
  workspace?: string | undefined
  /** The id of the last file of the previous page. */
  after?: string | undefined
  limit: number
  order: 'asc' | 'desc'
  purpose?: string | undefined
  /** A filter expression; blank is refused, leave it out to list every file. */
  metadata?: string | undefined
}

export type FilePage = { rows: FileRow[]; total: number; hasMore: boolean }

const FILE_COLUMNS = tableColumns('files')

/** The `metadata` filter of a listing as a WHERE condition; its one bound parameter carries every value. */
function fileFilter(expression: string): SQL {
  let compiled
  try {
    compiled = compileToSql(parseFilter(expression), FILE_COLUMNS)
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new FileError('invalid_filter', err.message, 'metadata')
    throw err
  }
  const pieces = compiled.sql.split('?')
  if (pieces.length !== 2 || compiled.params.length !== 1) throw new Error('a compiled filter binds exactly one parameter')
  const [before, after] = pieces as [string, string]
  return sql.join([sql.raw(before), sql`${compiled.params[0]}`, sql.raw(after)])
}

/**
 * One page of the files a reader of the workspace may see.
 * @example const page = await listFiles(db, caller, { limit: 20, order: 'desc', metadata: 'metadata.year >= 2020' })
 */
export async function listFiles(db: Db, caller: FileCaller, q: FileListing): Promise<FilePage> {
  const workspaceId = q.workspace ?? DEFAULT_WORKSPACE
  await caller.authorize(workspaceId, 'reader')
  const scope: SQL[] = [eq(files.orgId, caller.orgId), eq(files.workspaceId, workspaceId), unexpired()!]
  if (q.purpose) scope.push(eq(files.purpose, q.purpose))
  if (q.metadata !== undefined) scope.push(fileFilter(q.metadata))
  const where: SQL[] = [...scope]
  if (q.after) {
    const cursor = await db.select({ at: files.createdAtMs }).from(files).where(and(eq(files.id, q.after), ...scope)).get()
    if (!cursor) throw new FileError('invalid', `after: no file "${q.after}" in this listing to continue from.`, 'after')
    where.push(q.order === 'asc' ? gt(files.createdAtMs, cursor.at) : lt(files.createdAtMs, cursor.at))
  }
  const [rows, total] = await Promise.all([
    db.select().from(files).where(and(...where)).orderBy(q.order === 'asc' ? asc(files.createdAtMs) : desc(files.createdAtMs)).limit(q.limit + 1).all(),
    db.select({ n: sql<number>`count(*)` }).from(files).where(and(...scope)).get(),
  ])
  return { rows: rows.slice(0, q.limit), total: total?.n ?? 0, hasMore: rows.length > q.limit }
}
