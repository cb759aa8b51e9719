/**
 * @module The D1 vector store: embeddings as float32 BLOBs in the `vectors` table, searched by brute
 * force within one namespace, a page of rows at a time, keeping only the best `topK` — so memory stays
 * bounded whatever the workspace's size. Filters mean what they mean in Vectorize
 * (`vectorizeFilterMatches`), so search behaves the same on either store.
 *
 * Cost: a query reads every vector of the workspace (3 KB each at 768 dimensions), about one D1 query
 * per 256 of them: fine for local runs and thousands of chunks, Vectorize's job beyond that.
 */
import { vectorizeFilterMatches, type VectorizeFilter } from '../filter'
import { checkNames, cosine, TopK, type VectorRecord, type VectorStore } from './vector-store'

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
const MAX_TOP_K = 100

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

type Row = { rowid: number; id: string; metadata: string; dimensions: number; hex: string }

/**
 * @example
 * const store = d1VectorStore(env.DB)
 * await store.upsert('org-1/default', [{ id: 'file-…:p1:0', values: embedding, metadata: { file_id: 'file-…' } }])
 */
export function d1VectorStore(d1: D1Database): VectorStore {
  return {
    kind: 'd1',
    maxTopK: MAX_TOP_K,
    async upsert(namespace, vectors) {
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
      if (statements.length > 0) await d1.batch(statements)
    },
    async delete(namespace, ids) {
      checkNames(namespace, [])
      const statements: D1PreparedStatement[] = []
      for (let i = 0; i < ids.length; i += IDS_PER_DELETE) {
        statements.push(
          d1.prepare('DELETE FROM vectors WHERE namespace = ?1 AND id IN (SELECT value FROM json_each(?2))').bind(namespace, JSON.stringify(ids.slice(i, i + IDS_PER_DELETE))),
        )
      }
      if (statements.length > 0) await d1.batch(statements)
    },
    async query(namespace, vector, { topK, filter }) {
      checkNames(namespace, [])
      const best = new TopK(Math.max(1, Math.min(Math.floor(topK), MAX_TOP_K)))
      const hasFilter = filter !== undefined && Object.keys(filter).length > 0
      const files = hasFilter ? fileIdsOf(filter) : null
      const scratch = { bytes: new Uint8Array(vector.length * 4) }
      for (let after = -1; ; ) {
        const { results } = await d1
          .prepare(
            `SELECT rowid, id, metadata, dimensions, hex(vector) AS hex FROM vectors
             WHERE namespace = ?1 AND rowid > ?2 ${files ? 'AND file_id IN (SELECT value FROM json_each(?4))' : ''}
             ORDER BY rowid LIMIT ?3`,
          )
          .bind(namespace, after, PAGE_ROWS, ...(files ? [JSON.stringify(files)] : []))
          .all<Row>()
        for (const row of results) {
          // A vector from another embedding model (its size differs) cannot be compared; Vectorize would refuse it.
          if (row.dimensions !== vector.length) continue
          if (hasFilter && !vectorizeFilterMatches(filter, parseMetadata(row.metadata))) continue
          best.offer({ id: row.id, score: cosine(vector, decode(row.hex, scratch)) })
        }
        if (results.length < PAGE_ROWS) break
        after = results[results.length - 1]!.rowid
      }
      return best.best()
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

/** When the filter pins `file_id` to a list, only those files' rows need reading (exact: every vector has one). */
function fileIdsOf(filter: VectorizeFilter): string[] | null {
  const field = filter.file_id as Record<string, unknown> | undefined
  if (!field) return null
  if (typeof field.$eq === 'string') return [field.$eq]
  if (Array.isArray(field.$in) && field.$in.every((v) => typeof v === 'string')) return field.$in as string[]
  return null
}

function parseMetadata(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
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
