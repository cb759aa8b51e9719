/**
 * @module IndexShard: a Durable Object whose SQLite holds one shard of a workspace's index — its
 * chunks, their FTS5 index, their vectors when no Vectorize index is bound (shard-vectors.ts) and a
 * copy of their files' searchable fields (shard-schema.ts) — and
 * answers the index's reads and writes where the data is, so only the best few hits cross the
 * network. Named `<org>/<workspace>/<generation>/<n>` (placement.ts); routing and merging across a
 * workspace's shards is sharded-index.ts's. Each shard is its own writer, so one workspace's bulk
 * ingestion never queues another's writes.
 *
 * The class is abstract over nothing but its name: the ingest Worker exports it (workers/ingest).
 */
import { DurableObject } from 'cloudflare:workers'
import { loadHits, type ChunkHit, type SearchScope } from '../chunk-hits'
import { chunkUpserts, EXPORT_CHUNKS, EXPORT_ROWS, partWrites, type ChunkRef, type ChunkRowJson, type IndexedFile, type MovedRow } from '../chunk-rows'
import type { ExcerptChunk, LexicalAnswer } from '../chunk-index'
import { lexicalSearch, type LexicalRequest } from '../lexical'
import { chunkReads, listFilesByAge, type AgedFile } from '../page-reader'
import type { RowsMeter, SqlRunner } from '../sql-runner'
import type { StoredVector, VectorMatch, VectorQuery } from '../vector-store'
import { fileParams, SHARD_SCHEMA, UPSERT_FILE, type ShardFileRow } from './shard-schema'
import { ShardVectors, VECTOR_PAGE_ROWS } from './shard-vectors'

/** A page of one file's chunk rows, for moving it to another shard. */
export type ChunkPage = { rows: ChunkRowJson[]; next: { part: number; position: number } | null }

export class IndexShardObject extends DurableObject<Env> {
  private readonly sql: SqlRunner
  private readonly vectors: ShardVectors

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env)
    this.sql = this.runner()
    this.vectors = new ShardVectors(ctx.storage)
    ctx.blockConcurrencyWhile(async () => {
      for (const statement of SHARD_SCHEMA) ctx.storage.sql.exec(statement)
    })
  }

  async lexical(request: LexicalRequest, rareBudget: number): Promise<LexicalAnswer> {
    const meter = { rowsRead: 0 }
    const hits = await lexicalSearch(this.runner(meter), request, { rareBudget })
    return { hits, rowsRead: meter.rowsRead }
  }

  /** SQLite here as a runner, its rows read added to `meter`. Synchronous underneath: a statement runs to its end before another request's can start. */
  private runner(meter?: RowsMeter): SqlRunner {
    const storage = this.ctx.storage.sql
    return {
      all: async <T>(sql: string, params: readonly unknown[]) => {
        const cursor = storage.exec(sql, ...(params as SqlStorageValue[]))
        const rows = cursor.toArray() as T[]
        if (meter) meter.rowsRead += cursor.rowsRead
        return rows
      },
    }
  }

  load(scope: SearchScope, found: Array<{ chunkId: string; score: number }>): Promise<ChunkHit[]> {
    return loadHits(this.sql, scope, found)
  }

  readPage(scope: SearchScope, fileId: string, page: number | null): Promise<ChunkHit[]> {
    return chunkReads(this.sql).readPage(scope, fileId, page)
  }

  readAround(scope: SearchScope, chunkId: string, radius?: number): Promise<ChunkHit[]> {
    return chunkReads(this.sql).readAround(scope, chunkId, radius)
  }

  listFilesByAge(scope: SearchScope, limit?: number): Promise<{ files: AgedFile[]; total: number }> {
    return listFilesByAge(this.sql, scope, limit)
  }

  excerpt(fileId: string, limit: number): Promise<ExcerptChunk[]> {
    return this.sql.all('SELECT text, page, token_count AS tokens FROM chunks WHERE file_id = ? ORDER BY part, position LIMIT ?', [fileId, limit])
  }

  /** Replaces one part's chunks and refreshes the file's copy, in one transaction. */
  writePart(file: ShardFileRow, part: number, rows: ChunkRowJson[]): void {
    this.transaction([{ sql: UPSERT_FILE, params: fileParams(file) }, ...partWrites(indexedFile(file), part, rows)])
  }

  /** Refreshes the copies of files this shard holds chunks of; a file it does not hold is left out. */
  publish(files: ShardFileRow[]): void {
    // Only these files' rows are looked up: a shard may hold hundreds of thousands of files.
    const ids = JSON.stringify(files.map((f) => f.id))
    const held = new Set(this.ctx.storage.sql.exec<{ id: string }>('SELECT id FROM files WHERE id IN (SELECT value FROM json_each(?))', ids).toArray().map((r) => r.id))
    this.transaction(files.filter((f) => held.has(f.id)).map((f) => ({ sql: UPSERT_FILE, params: fileParams(f) })))
  }

  removeFiles(fileIds: string[]): ChunkRef[] {
    const ids = JSON.stringify(fileIds)
    const storage = this.ctx.storage.sql
    return this.ctx.storage.transactionSync(() => {
      const refs = storage.exec<ChunkRef>('SELECT id, org_id AS orgId, workspace_id AS workspaceId FROM chunks WHERE file_id IN (SELECT value FROM json_each(?))', ids).toArray()
      storage.exec('DELETE FROM chunks WHERE file_id IN (SELECT value FROM json_each(?))', ids)
      storage.exec('DELETE FROM files WHERE id IN (SELECT value FROM json_each(?))', ids)
      this.vectors.removeFiles(fileIds)
      return refs
    })
  }

  /** A page of a file's chunk rows in reading order, after (part, position), for a move. */
  exportChunks(fileId: string, after: { part: number; position: number } | null, limit: number): ChunkPage {
    const rows = this.ctx.storage.sql
      .exec<{ row: string; part: number; position: number }>(EXPORT_CHUNKS, fileId, after?.part ?? -1, after?.position ?? -1, limit)
      .toArray()
    const last = rows.at(-1)
    return { rows: rows.map((r) => r.row), next: rows.length === limit && last ? { part: last.part, position: last.position } : null }
  }

  /** A page of every chunk row here, in rowid order after `after`, for a move; `next` is null on the last page. */
  exportRows(after: number, limit: number): { rows: MovedRow[]; next: number | null } {
    const rows = this.ctx.storage.sql.exec<MovedRow & { rowid: number }>(EXPORT_ROWS(''), after, limit).toArray()
    return { rows: rows.map(({ fileId, row }) => ({ fileId, row })), next: rows.length === limit ? rows.at(-1)!.rowid : null }
  }

  /** Adds moved rows of these files (and refreshes the files' copies) in one transaction. */
  importRows(files: ShardFileRow[], rows: MovedRow[]): void {
    const statements = files.flatMap((file) => [
      { sql: UPSERT_FILE, params: fileParams(file) },
      ...chunkUpserts(indexedFile(file), rows.filter((r) => r.fileId === file.id).map((r) => r.row)),
    ])
    this.transaction(statements)
  }

  /** How many chunks each of these files has here (a file with none is left out). */
  chunkCounts(fileIds: string[]): Array<{ fileId: string; n: number }> {
    return this.ctx.storage.sql
      .exec<{ fileId: string; n: number }>('SELECT file_id AS fileId, count(*) AS n FROM chunks WHERE file_id IN (SELECT value FROM json_each(?)) GROUP BY file_id', JSON.stringify(fileIds))
      .toArray()
  }

  /** How many chunks of a file this shard holds. */
  fileChunkCount(fileId: string): number {
    return this.ctx.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM chunks WHERE file_id = ?', fileId).one().n
  }

  upsertVectors(vectors: StoredVector[]): void {
    this.vectors.upsert(vectors)
  }

  deleteVectors(ids: string[]): void {
    this.vectors.delete(ids)
  }

  queryVectors(vector: Float32Array, options: VectorQuery): VectorMatch[] {
    return this.vectors.query(vector, options)
  }

  /** A page of vectors in rowid order after `after` (of one file, when named), for a move. */
  exportVectors(after: number, fileId: string | null): { rows: StoredVector[]; next: number | null } {
    return this.vectors.export(after, VECTOR_PAGE_ROWS, fileId)
  }

  vectorCounts(fileIds: string[]): Array<{ fileId: string; n: number }> {
    return this.vectors.counts(fileIds)
  }

  /** Empties the shard: after a move has switched its workspace to other shards. */
  async drop(): Promise<void> {
    await this.ctx.storage.deleteAll()
    this.vectors.forget()
    // A question that started before the switch may still ask here: it finds nothing rather than an error.
    for (const statement of SHARD_SCHEMA) this.ctx.storage.sql.exec(statement)
  }

  private transaction(statements: Array<{ sql: string; params: readonly unknown[] }>): void {
    const storage = this.ctx.storage.sql
    this.ctx.storage.transactionSync(() => {
      for (const s of statements) storage.exec(s.sql, ...(s.params as SqlStorageValue[]))
    })
  }
}

function indexedFile(file: ShardFileRow): IndexedFile {
  return { id: file.id, orgId: file.org_id, workspaceId: file.workspace_id, filename: file.filename }
}
