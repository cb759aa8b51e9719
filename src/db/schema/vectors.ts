/**
 * @module The D1 vector store's table (search/vector-d1.ts): one embedding per chunk, for local runs
 * and small deployments without Vectorize. Searched by brute force within a namespace (a workspace).
 */
import { customType, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

/** A vector as the little-endian float32 bytes of a `Float32Array`: 3 KB for 768 dimensions. */
const float32Blob = customType<{ data: Float32Array; driverData: ArrayBuffer | number[] }>({
  dataType: () => 'blob',
  toDriver: (value) => value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength) as ArrayBuffer,
  // D1 returns a BLOB as an array of byte values.
  fromDriver: (value) => new Float32Array(value instanceof ArrayBuffer ? value : new Uint8Array(value).buffer),
})

export const vectors = sqliteTable(
  'vectors',
  {
    /** The chunk's id, so re-embedding a chunk overwrites its vector. */
    id: text('id').primaryKey(),
    /** `vectorNamespace(org, workspace)`: a query never reads another workspace's vectors. */
    namespace: text('namespace').notNull(),
    fileId: text('file_id').notNull(),
    /** The filterable properties Vectorize indexes (filter/to-vectorize.ts), as columns. */
    purpose: text('purpose'),
    createdAt: integer('created_at'),
    modality: text('modality'),
    page: integer('page'),
    /** The whole metadata as a JSON object, filtered with Vectorize's semantics. */
    metadata: text('metadata').notNull().default('{}'),
    dimensions: integer('dimensions').notNull(),
    vector: float32Blob('vector').notNull(),
  },
  (t) => [index('vectors_namespace_idx').on(t.namespace), index('vectors_file_idx').on(t.fileId)],
)

/**
 * One row per namespace whose vectors changed, with a stamp that every upsert and delete of its
 * vectors replaces in the same batch: a search that kept the namespace's vectors decoded in memory
 * (vector-d1.ts) reads it to know whether they are still what D1 holds. Random rather than counted, so
 * a database restored to an earlier state never shows a stamp some isolate has already seen.
 */
export const vectorStamps = sqliteTable('vector_stamps', {
  namespace: text('namespace').primaryKey(),
  version: text('version').notNull(),
})
