/**
 * What the index holds of a file, read from wherever its workspace's index lives — D1's tables, or
 * the IndexShard that holds the file (through the test Worker's `rows`, test-worker.ts) — so a test
 * checks chunks, their full-text rows and vectors the same way in either layout (`INDEX_SHARDS=n npm test`).
 * The SQL is the same in both: a shard has D1's `chunks`, `chunks_fts` and `vectors` columns (but
 * `vectors.namespace`, which a shard does not need).
 */
import { env } from 'cloudflare:test'
import { readPlacement, shardOf, type Layout } from '../../src/search/shards/placement'
import { shardStub } from '../../src/search/shards/sharded-index'
import { callJson } from './api-client'

/**
 * A workspace, for a file whose row may be gone (deleted) by the time the test reads; with `layout`,
 * the one its index had (a deleted workspace has no placement left to read).
 */
export type At = { orgId: string; workspaceId: string; layout?: Layout }

type TestShard = { rows(sql: string, params: unknown[]): Promise<Array<Record<string, unknown>>> }

/** Rows of `sql` (a query about `fileId`) where the file's workspace keeps its index. */
export async function indexRows<T>(fileId: string, sql: string, params: unknown[] = [fileId], at?: At): Promise<T[]> {
  const where = at ?? (await workspaceOf(fileId))
  const layout = where.layout ?? (await readPlacement(env.DB, where.orgId, where.workspaceId))
  if (layout.shards === 0) return (await env.DB.prepare(sql).bind(...params).all<T>()).results
  const shard = shardStub(env.INDEX_SHARD, where, layout, shardOf(fileId, layout.shards)) as unknown as TestShard
  return (await shard.rows(sql, params)) as T[]
}

/** `count(*) AS n` of a query about `fileId`. */
export async function indexCount(fileId: string, sql: string, params: unknown[] = [fileId], at?: At): Promise<number> {
  const [row] = await indexRows<{ n: number }>(fileId, sql, params, at)
  return row?.n ?? 0
}

export const chunkCount = (fileId: string, at?: At) => indexCount(fileId, 'SELECT count(*) AS n FROM chunks WHERE file_id = ?', [fileId], at)

export const vectorCount = (fileId: string, at?: At) => indexCount(fileId, 'SELECT count(*) AS n FROM vectors WHERE file_id = ?', [fileId], at)

/** Full-text rows of the file's chunks; with `match`, only those an FTS5 query matches. */
export const ftsCount = (fileId: string, match?: string, at?: At) =>
  match === undefined
    ? indexCount(fileId, 'SELECT count(*) AS n FROM chunks_fts JOIN chunks ON chunks.rowid = chunks_fts.rowid WHERE chunks.file_id = ?', [fileId], at)
    : indexCount(fileId, 'SELECT count(*) AS n FROM chunks_fts JOIN chunks ON chunks.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ? AND chunks.file_id = ?', [match, fileId], at)

async function workspaceOf(fileId: string): Promise<At> {
  const row = await env.DB.prepare('SELECT org_id AS orgId, workspace_id AS workspaceId FROM files WHERE id = ?1').bind(fileId).first<At>()
  if (!row) throw new Error(`file ${fileId} has no row: pass its workspace to read what the index still holds of it`)
  return row
}

/**
 * A workspace made through the API and kept in D1's own tables whatever `INDEX_SHARDS` gives new ones
 * (tests that compare the layouts, or move from D1).
 */
export async function workspaceInD1(token: string, orgId: string, id: string, name: string): Promise<void> {
  await callJson('POST', '/workspaces', { token, body: { id, name } })
  await placeInD1(orgId, id)
}

/**
 * Sets a new, empty workspace's placement to D1's own tables, as if the deployment had made it with
 * `INDEX_SHARDS` unset: it holds nothing yet, so nothing is lost (tests of D1's shared index).
 */
export async function placeInD1(orgId: string, id: string): Promise<void> {
  await env.DB.prepare('UPDATE workspaces SET index_shards = 0, index_generation = 0, index_next_shards = NULL WHERE org_id = ?1 AND id = ?2').bind(orgId, id).run()
}
