/**
 * @module An index shard's tables: D1's `chunks` and `chunks_fts` (migrations 0001, 0002) as they are,
 * the chunks' vectors where no Vectorize index is bound (shard-vectors.ts), and a copy of the `files` columns a search reads — the scope (org, workspace, status, expiry), the
 * filter language's fields (filter/sql-columns.ts) and what a hit or a file listing shows. The same
 * names as D1's, so lexical.ts, chunk-hits.ts and page-reader.ts run their SQL here unchanged.
 */

/** The file columns a shard keeps, in order. */
export const SHARD_FILE_COLUMNS = [
  'id',
  'org_id',
  'workspace_id',
  'user_id',
  'filename',
  'bytes',
  'purpose',
  'kind',
  'status',
  'metadata',
  'created_at',
  'created_at_ms',
  'expires_at_ms',
  'pages_total',
] as const

/** A file row as D1 holds it, in `SHARD_FILE_COLUMNS`. */
export type ShardFileRow = {
  id: string
  org_id: string
  workspace_id: string
  user_id: string
  filename: string
  bytes: number
  purpose: string
  kind: string
  status: string
  metadata: string
  created_at: number
  created_at_ms: number
  expires_at_ms: number | null
  pages_total: number | null
}

/** Run once per object, each statement on its own (SQLite in a Durable Object binds none here). */
export const SHARD_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY, org_id TEXT NOT NULL, workspace_id TEXT NOT NULL, user_id TEXT NOT NULL,
    filename TEXT NOT NULL, bytes INTEGER NOT NULL, purpose TEXT NOT NULL, kind TEXT NOT NULL,
    status TEXT NOT NULL, metadata TEXT NOT NULL DEFAULT '{}', created_at INTEGER NOT NULL,
    created_at_ms INTEGER NOT NULL, expires_at_ms INTEGER, pages_total INTEGER)`,
  `CREATE TABLE IF NOT EXISTS chunks (
    id TEXT PRIMARY KEY NOT NULL, file_id TEXT NOT NULL, org_id TEXT NOT NULL, workspace_id TEXT NOT NULL,
    part INTEGER NOT NULL, position INTEGER NOT NULL, text TEXT NOT NULL, filename TEXT NOT NULL,
    heading TEXT, page INTEGER, sheet TEXT, rows_from INTEGER, rows_to INTEGER, key_path TEXT,
    start_time REAL, end_time REAL, modality TEXT NOT NULL, char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL, token_count INTEGER NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS chunks_file_idx ON chunks (file_id, part)',
  'CREATE INDEX IF NOT EXISTS chunks_workspace_idx ON chunks (org_id, workspace_id)',
  `CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(text, heading, filename,
    content='chunks', content_rowid='rowid', tokenize='porter unicode61 remove_diacritics 2')`,
  `CREATE TRIGGER IF NOT EXISTS chunks_fts_insert AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, heading, filename) VALUES (new.rowid, new.text, new.heading, new.filename);
  END`,
  `CREATE TRIGGER IF NOT EXISTS chunks_fts_delete AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading, filename) VALUES ('delete', old.rowid, old.text, old.heading, old.filename);
  END`,
  `CREATE TRIGGER IF NOT EXISTS chunks_fts_update AFTER UPDATE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, heading, filename) VALUES ('delete', old.rowid, old.text, old.heading, old.filename);
    INSERT INTO chunks_fts(rowid, text, heading, filename) VALUES (new.rowid, new.text, new.heading, new.filename);
  END`,
  `CREATE TABLE IF NOT EXISTS vectors (
    id TEXT PRIMARY KEY NOT NULL, file_id TEXT NOT NULL, metadata TEXT NOT NULL, dimensions INTEGER NOT NULL, vector BLOB NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS vectors_file_idx ON vectors (file_id)',
]

/** Inserts or refreshes a file's copy. */
export const UPSERT_FILE = `INSERT INTO files (${SHARD_FILE_COLUMNS.join(', ')}) VALUES (${SHARD_FILE_COLUMNS.map(() => '?').join(', ')})
  ON CONFLICT(id) DO UPDATE SET ${SHARD_FILE_COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`

export const fileParams = (row: ShardFileRow) => SHARD_FILE_COLUMNS.map((c) => row[c])

/** D1's `files` columns for a shard's copy, over `files`. */
export const SELECT_SHARD_FILES = `SELECT ${SHARD_FILE_COLUMNS.join(', ')} FROM files`
