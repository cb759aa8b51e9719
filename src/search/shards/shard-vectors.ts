/**
 * @module An index shard's vectors, where no Vectorize index is bound: the embeddings of the chunks
 * the shard holds, in its own SQLite (`vectors`, shard-schema.ts), searched by brute force beside
 * them. The shard is their only writer, so the decoded snapshot it keeps in memory is dropped on its
 * own writes, with no stamp to read per question (D1's store needs one: two Workers write there).
 */
import { SnapshotBuilder, SnapshotCache, type Snapshot } from '../vector-snapshots'
import { scoreSnapshot, vectorScan } from '../vector-scan'
import { cosine, type StoredVector, type VectorMatch, type VectorQuery } from '../vector-store'

/** Rows per page when a shard's vectors are read without a snapshot, or exported for a move. */
export const VECTOR_PAGE_ROWS = 256

type VectorRow = { rowid: number; id: string; file_id: string; metadata: string; vector: ArrayBuffer }

export class ShardVectors {
  private readonly snapshots = new SnapshotCache()
  /** Bumped by every write here: a snapshot read before it is stale. */
  private version = 0

  constructor(private readonly storage: DurableObjectStorage) {}

  upsert(vectors: readonly StoredVector[]): void {
    this.version++
    const sql = this.storage.sql
    this.storage.transactionSync(() => {
      for (const v of vectors) {
        sql.exec(
          `INSERT INTO vectors (id, file_id, metadata, dimensions, vector) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(id) DO UPDATE SET file_id = excluded.file_id, metadata = excluded.metadata, dimensions = excluded.dimensions, vector = excluded.vector`,
          v.id,
          v.fileId,
          v.metadata,
          v.values.length,
          bytesOf(v.values),
        )
      }
    })
  }

  delete(ids: readonly string[]): void {
    this.version++
    this.storage.sql.exec('DELETE FROM vectors WHERE id IN (SELECT value FROM json_each(?))', JSON.stringify(ids))
  }

  /** Every vector of these files (their chunks are going). */
  removeFiles(fileIds: readonly string[]): void {
    this.version++
    this.storage.sql.exec('DELETE FROM vectors WHERE file_id IN (SELECT value FROM json_each(?))', JSON.stringify(fileIds))
  }

  query(vector: Float32Array, options: VectorQuery): VectorMatch[] {
    const scan = vectorScan(options)
    const snapshot = this.snapshotOf(vector.length)
    if (snapshot) return scoreSnapshot(snapshot, vector, scan)
    this.eachRow(vector.length, scan.files, (row, values) => {
      if (scan.passes(row.metadata)) scan.best.offer({ id: row.id, score: cosine(vector, values) })
    })
    return scan.best.best()
  }

  /** A page of vectors in rowid order after `after` (of one file, when named), for a move. */
  export(after: number, limit: number, fileId: string | null): { rows: StoredVector[]; next: number | null } {
    const rows = this.storage.sql
      .exec<VectorRow>(`SELECT rowid, id, file_id, metadata, vector FROM vectors WHERE rowid > ? ${fileId === null ? '' : 'AND file_id = ?'} ORDER BY rowid LIMIT ?`, after, ...(fileId === null ? [] : [fileId]), limit)
      .toArray()
    return { rows: rows.map(stored), next: rows.length === limit ? rows.at(-1)!.rowid : null }
  }

  /** How many vectors each of these files has here (a file with none is left out). */
  counts(fileIds: readonly string[]): Array<{ fileId: string; n: number }> {
    return this.storage.sql
      .exec<{ fileId: string; n: number }>('SELECT file_id AS fileId, count(*) AS n FROM vectors WHERE file_id IN (SELECT value FROM json_each(?)) GROUP BY file_id', JSON.stringify(fileIds))
      .toArray()
  }

  /** After the shard was emptied. */
  forget(): void {
    this.version++
  }

  private snapshotOf(dimensions: number): Snapshot | null {
    const version = String(this.version)
    const kept = this.snapshots.get('', dimensions, version)
    if (kept) return kept
    const rows = this.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM vectors WHERE dimensions = ?', dimensions).one().n
    if (!this.snapshots.fits(rows, dimensions)) return null
    const builder = new SnapshotBuilder(version, dimensions, rows)
    this.eachRow(dimensions, null, (row, values) => builder.add(row.id, row.file_id, row.metadata, values))
    const snapshot = builder.build()
    this.snapshots.put('', snapshot)
    return snapshot
  }

  /** Every row of this size (of these files), a page at a time, so memory stays one page's. */
  private eachRow(dimensions: number, files: string[] | null, visit: (row: VectorRow, values: Float32Array) => void): void {
    for (let after = -1; ; ) {
      const rows = this.storage.sql
        .exec<VectorRow>(
          `SELECT rowid, id, file_id, metadata, vector FROM vectors WHERE rowid > ? AND dimensions = ? ${files ? 'AND file_id IN (SELECT value FROM json_each(?))' : ''} ORDER BY rowid LIMIT ?`,
          after,
          dimensions,
          ...(files ? [JSON.stringify(files)] : []),
          VECTOR_PAGE_ROWS,
        )
        .toArray()
      for (const row of rows) visit(row, new Float32Array(row.vector))
      if (rows.length < VECTOR_PAGE_ROWS) return
      after = rows.at(-1)!.rowid
    }
  }
}

const stored = (row: VectorRow): StoredVector => ({ id: row.id, fileId: row.file_id, metadata: row.metadata, values: new Float32Array(row.vector) })

/** The vector's float32 bytes as their own buffer: SQLite in a Durable Object binds an ArrayBuffer as a BLOB. */
function bytesOf(values: Float32Array): ArrayBuffer {
  return values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength) as ArrayBuffer
}
