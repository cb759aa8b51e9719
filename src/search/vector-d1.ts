/**
 * @module The D1 vector store: embeddings as float32 BLOBs in the `vectors` table, searched by brute
 * force within one namespace, keeping only the best `topK`; memory stays bounded whatever the
 * workspace's size (a snapshot within its budget, or a page of rows at a time). Filters mean what
 * they mean in Vectorize (`vectorizeFilterMatches`), so search behaves the same on either store.
 *
 * Cost: the first query of a namespace reads every vector of it (3 KB each at 768 dimensions), about
 * one D1 query per 256 of them, and keeps them decoded in memory (vector-snapshots.ts); later queries
 * read one stamp row and score from memory until an upsert or delete replaces the stamp. A namespace
 * over the memory budget is read page by page on every query: Vectorize's job at that size.
 */
import { checkNames, cosine, vectorNamespace, type StoredVector, type VectorMetadata, type VectorRecord, type VectorStore } from './vector-store'
import { MAX_TOP_K, parseMetadata, scoreSnapshot, vectorScan } from './vector-scan'
import { SnapshotBuilder, SnapshotCache, type Snapshot } from './vector-snapshots'

/** Rows read per query page: 256 × 768 dimensions × 2 hex characters ≈ 400 KB. */
const PAGE_ROWS = 256
/**
 * Vectors per upsert statement. Each is bound as its own BLOB parameter, beside the namespace and the
 * rows' JSON, within D1's 100 bound parameters per statement.
 */
const VECTORS_PER_STATEMENT = 90
/** Characters of row JSON per upsert statement, under D1's 2 MB per bound value. */
const JSON_CHARS_PER_STATEMENT = 900_000
/**
 * Vector bytes per upsert statement. D1 sends a BLOB parameter as a JSON array of byte values (about
 * 3.6 characters a byte), so this keeps one statement's request near 1 MB: 90 vectors of 768 dimensions.
 */
const VECTOR_BYTES_PER_STATEMENT = 300_000
/** Ids per delete statement, as one JSON parameter. */
const IDS_PER_DELETE = 2_000

/**
 * Upserts `count` rows: their columns from the JSON array in ?2, each row's vector from its own BLOB
 * parameter, ?3 onwards, picked by the row's position in the array.
 *
 * Why BLOB parameters, not hex decoded in SQL: `unhex()` came with SQLite 3.41, and which SQLite a
 * production D1 database runs is not documented; binding the bytes works on every version. The cost
 * is on the wire at upsert time only (a byte array's JSON is about twice a hex string's); search reads
 * `hex(vector)`, which every SQLite has.
 */
function upsertSql(count: number): string {
  const vector = Array.from({ length: count }, (_, i) => `WHEN ${i} THEN ?${i + 3}`).join(' ')
  return `INSERT INTO vectors (id, namespace, file_id, purpose, created_at, modality, page, metadata, dimensions, vector)
  SELECT json_extract(j.value, '$.id'), ?1, json_extract(j.value, '$.file_id'), json_extract(j.value, '$.purpose'),
    json_extract(j.value, '$.created_at'), json_extract(j.value, '$.modality'), json_extract(j.value, '$.page'),
    json_extract(j.value, '$.metadata'), json_extract(j.value, '$.dimensions'), CASE j.key ${vector} END
  FROM json_each(?2) AS j WHERE true
  ON CONFLICT(id) DO UPDATE SET namespace = excluded.namespace, file_id = excluded.file_id, purpose = excluded.purpose,
    created_at = excluded.created_at, modality = excluded.modality, page = excluded.page, metadata = excluded.metadata,
    dimensions = excluded.dimensions, vector = excluded.vector`
}

type Row = { rowid: number; id: string; file_id: string; metadata: string; dimensions: number; hex: string }

/** Replaced in the batch of every upsert and delete, so kept snapshots of the namespace go stale at once. */
const BUMP_STAMP =
  'INSERT INTO vector_stamps (namespace, version) VALUES (?1, hex(randomblob(8))) ON CONFLICT(namespace) DO UPDATE SET version = excluded.version'

/** One per isolate: every store over this isolate's D1 binding shares what it has decoded. */
const sharedSnapshots = new SnapshotCache()

/**
 * @example
 * const store = d1VectorStore(env.DB)
 * await store.upsert({ orgId: 'org-1', workspaceId: 'default' }, [{ id: 'file-…:p1:0', values: embedding, metadata: { file_id: 'file-…' } }])
 */
export function d1VectorStore(d1: D1Database, snapshots: SnapshotCache = sharedSnapshots): VectorStore {
  /** Every row of the namespace with this many dimensions, `PAGE_ROWS` at a time, in rowid order. */
  async function eachRow(namespace: string, dimensions: number, files: string[] | null, visit: (row: Row, vector: Float32Array) => void) {
    const scratch = { bytes: new Uint8Array(dimensions * 4) }
    for (let after = -1; ; ) {
      const { results } = await d1
        .prepare(
          `SELECT rowid, id, file_id, metadata, dimensions, hex(vector) AS hex FROM vectors
           WHERE namespace = ?1 AND rowid > ?2 AND dimensions = ?4 ${files ? 'AND file_id IN (SELECT value FROM json_each(?5))' : ''}
           ORDER BY rowid LIMIT ?3`,
        )
        .bind(namespace, after, PAGE_ROWS, dimensions, ...(files ? [JSON.stringify(files)] : []))
        .all<Row>()
      for (const row of results) visit(row, decode(row.hex, scratch))
      if (results.length < PAGE_ROWS) break
      after = results[results.length - 1]!.rowid
    }
  }

  /** The namespace's snapshot at its current stamp: kept, or read now when it fits the budget; else null. */
  async function snapshotOf(namespace: string, dimensions: number): Promise<Snapshot | null> {
    const stamp = await d1.prepare('SELECT version FROM vector_stamps WHERE namespace = ?1').bind(namespace).first<{ version: string }>()
    const version = stamp?.version ?? ''
    const kept = snapshots.get(namespace, dimensions, version)
    // A kept snapshot costs one small read per search; only a miss counts the rows.
    if (kept) return kept
    const count = await d1.prepare('SELECT count(*) AS n FROM vectors WHERE namespace = ?1 AND dimensions = ?2').bind(namespace, dimensions).first<{ n: number }>()
    const rows = count?.n ?? 0
    if (!snapshots.fits(rows, dimensions)) return null
    // Labelled with the stamp read before the rows: a write meanwhile replaces it, and the next query reads again.
    const builder = new SnapshotBuilder(version, dimensions, rows)
    await eachRow(namespace, dimensions, null, (row, vector) => builder.add(row.id, row.file_id, row.metadata, vector))
    const snapshot = builder.build()
    snapshots.put(namespace, snapshot)
    return snapshot
  }

  return {
    kind: 'd1',
    maxTopK: MAX_TOP_K,
    async upsert(space, vectors) {
      const namespace = await vectorNamespace(space.orgId, space.workspaceId)
      checkNames(namespace, vectors.map((v) => v.id))
      const statements: D1PreparedStatement[] = []
      let rows: string[] = []
      let blobs: Uint8Array[] = []
      let chars = 0
      let bytes = 0
      const flush = () => {
        if (rows.length > 0) statements.push(d1.prepare(upsertSql(rows.length)).bind(namespace, `[${rows.join(',')}]`, ...blobs))
        rows = []
        blobs = []
        chars = 0
        bytes = 0
      }
      for (const vector of vectors) {
        const row = rowJson(vector)
        const blob = float32Bytes(vector.values)
        if (rows.length === VECTORS_PER_STATEMENT || chars + row.length > JSON_CHARS_PER_STATEMENT || bytes + blob.length > VECTOR_BYTES_PER_STATEMENT) flush()
        rows.push(row)
        blobs.push(blob)
        chars += row.length
        bytes += blob.length
      }
      flush()
      if (statements.length > 0) await d1.batch([...statements, d1.prepare(BUMP_STAMP).bind(namespace)])
    },
    async delete(space, ids) {
      const namespace = await vectorNamespace(space.orgId, space.workspaceId)
      const statements: D1PreparedStatement[] = []
      for (let i = 0; i < ids.length; i += IDS_PER_DELETE) {
        statements.push(
          d1.prepare('DELETE FROM vectors WHERE namespace = ?1 AND id IN (SELECT value FROM json_each(?2))').bind(namespace, JSON.stringify(ids.slice(i, i + IDS_PER_DELETE))),
        )
      }
      if (statements.length > 0) await d1.batch([...statements, d1.prepare(BUMP_STAMP).bind(namespace)])
    },
    async query(space, vector, options) {
      const namespace = await vectorNamespace(space.orgId, space.workspaceId)
      const scan = vectorScan(options)
      // A vector from another embedding model (its size differs) cannot be compared; Vectorize would refuse it.
      const dimensions = vector.length
      const query = vector instanceof Float32Array ? vector : Float32Array.from(vector)
      const snapshot = await snapshotOf(namespace, dimensions)
      if (snapshot) return scoreSnapshot(snapshot, query, scan)
      await eachRow(namespace, dimensions, scan.files, (row, decoded) => {
        if (scan.passes(row.metadata)) scan.best.offer({ id: row.id, score: cosine(query, decoded) })
      })
      return scan.best.best()
    },
  }
}

function rowJson(vector: VectorRecord): string {
  const m = vector.metadata
  return JSON.stringify({
    id: vector.id,
    file_id: typeof m.file_id === 'string' ? m.file_id : '',
    purpose: typeof m.purpose === 'string' ? m.purpose : null,
    created_at: typeof m.created_at === 'number' ? m.created_at : null,
    modality: typeof m.modality === 'string' ? m.modality : null,
    page: typeof m.page === 'number' ? m.page : null,
    metadata: m,
    dimensions: vector.values.length,
  })
}

/**
 * The vector's little-endian float32 bytes, as a byte view: D1 binds a view by its elements, so a
 * Float32Array itself would arrive as numbers, not bytes.
 */
function float32Bytes(values: VectorRecord['values']): Uint8Array {
  const floats = values instanceof Float32Array ? values : Float32Array.from(values)
  return new Uint8Array(floats.buffer, floats.byteOffset, floats.byteLength)
}

/** Hex (as SQLite's `hex()` writes it, upper case) back to floats, in a buffer reused across rows. */
function decode(hex: string, scratch: { bytes: Uint8Array }): Float32Array {
  const length = hex.length >> 1
  if (scratch.bytes.length < length) scratch.bytes = new Uint8Array(length)
  const bytes = scratch.bytes
  for (let i = 0; i < length; i++) bytes[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1))
  return new Float32Array(bytes.buffer, 0, length >> 2)
}

const nibble = (c: number) => (c <= 57 ? c - 48 : (c | 32) - 87)

/**
 * A namespace's rows as they are, for moving a workspace's index out of D1 or back (shards/move-workspace.ts):
 * pages in rowid order, counts per file, and emptying it. Each write replaces the namespace's stamp.
 */
export function d1VectorRows(d1: D1Database, namespace: string) {
  return {
    async export(after: number, limit: number, fileId: string | null): Promise<{ rows: StoredVector[]; next: number | null }> {
      const { results } = await d1
        .prepare(
          `SELECT rowid, id, file_id, metadata, hex(vector) AS hex FROM vectors
           WHERE namespace = ?1 AND rowid > ?2 ${fileId === null ? '' : 'AND file_id = ?4'} ORDER BY rowid LIMIT ?3`,
        )
        .bind(namespace, after, limit, ...(fileId === null ? [] : [fileId]))
        .all<Omit<Row, 'dimensions'>>()
      const rows = results.map((r) => ({ id: r.id, fileId: r.file_id, metadata: r.metadata, values: decode(r.hex, { bytes: new Uint8Array(0) }).slice() }))
      return { rows, next: results.length === limit ? results.at(-1)!.rowid : null }
    },
    async counts(fileIds: readonly string[]): Promise<Map<string, number>> {
      const { results } = await d1
        .prepare('SELECT file_id AS fileId, count(*) AS n FROM vectors WHERE namespace = ?1 AND file_id IN (SELECT value FROM json_each(?2)) GROUP BY file_id')
        .bind(namespace, JSON.stringify(fileIds))
        .all<{ fileId: string; n: number }>()
      return new Map(results.map((r) => [r.fileId, r.n]))
    },
    async removeFile(fileId: string): Promise<void> {
      await d1.batch([d1.prepare('DELETE FROM vectors WHERE namespace = ?1 AND file_id = ?2').bind(namespace, fileId), d1.prepare(BUMP_STAMP).bind(namespace)])
    },
    /** Deletes a slice of the namespace's rows; false once none was left. */
    async emptySlice(): Promise<boolean> {
      const [deleted] = await d1.batch([
        d1.prepare('DELETE FROM vectors WHERE rowid IN (SELECT rowid FROM vectors WHERE namespace = ?1 LIMIT 1000)').bind(namespace),
        d1.prepare(BUMP_STAMP).bind(namespace),
      ])
      return (deleted?.meta.changes ?? 0) > 0
    },
  }
}

/** A stored row back as a record to upsert. */
export const vectorRecord = (row: StoredVector): VectorRecord => ({ id: row.id, values: row.values, metadata: parseMetadata(row.metadata) as VectorMetadata })
