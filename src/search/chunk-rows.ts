/**
 * @module A part's chunks as the rows of the `chunks` table, and the statements that write them: the
 * same SQL whether the rows go to D1 (the single index) or to an index shard's SQLite.
 */
import type { Chunk } from '../ingest/segment'
import type { SqlPart } from './chunk-hits'

/** The file a part's chunks belong to, as each row repeats it. */
export type IndexedFile = { id: string; orgId: string; workspaceId: string; filename: string }

/** A chunk's id and where it lives, for removing its vectors with it. */
export type ChunkRef = { id: string; orgId: string; workspaceId: string }

/** The columns a chunk row carries besides its file's (file_id, org_id, workspace_id, filename). */
const COLUMNS = ['id', 'part', 'position', 'text', 'heading', 'page', 'sheet', 'rows_from', 'rows_to', 'key_path', 'start_time', 'end_time', 'modality', 'char_start', 'char_end', 'token_count'] as const

/** One chunk as JSON in `COLUMNS`' names. */
export type ChunkRowJson = string

/** Characters of chunk JSON per statement: even at 3 bytes a character, under D1's 2 MB per bound value. */
const JSON_BYTES_PER_STATEMENT = 600_000

export function chunkRows(part: number, chunks: readonly Chunk[]): ChunkRowJson[] {
  return chunks.map((chunk, position) => {
    const p = chunk.provenance
    return JSON.stringify({
      id: chunk.id,
      part,
      position,
      text: chunk.text,
      heading: p.heading && p.heading.length > 0 ? p.heading.join(' > ') : null,
      page: p.page ?? null,
      sheet: p.sheet ?? null,
      rows_from: p.rows?.[0] ?? null,
      rows_to: p.rows?.[1] ?? null,
      key_path: p.keyPath ?? null,
      start_time: p.startTime ?? null,
      end_time: p.endTime ?? null,
      modality: p.modality,
      char_start: chunk.charStart,
      char_end: chunk.charEnd,
      token_count: chunk.tokenCount,
    })
  })
}

const SELECT = COLUMNS.map((c) => `json_extract(j.value, '$.${c}')`).join(', ')
const UPDATE = COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')
const INSERT = `INSERT INTO chunks (file_id, org_id, workspace_id, filename, ${COLUMNS.join(', ')})
    SELECT ?, ?, ?, ?, ${SELECT} FROM json_each(?) AS j WHERE true
    ON CONFLICT(id) DO UPDATE SET ${UPDATE}`

/**
 * Replacing a part's chunks: its old rows go, then the new ones come (`chunkUpserts`). The FTS rows
 * follow by trigger.
 */
export function partWrites(file: IndexedFile, part: number, rows: readonly ChunkRowJson[]): SqlPart[] {
  return [{ sql: 'DELETE FROM chunks WHERE file_id = ? AND part = ?', params: [file.id, part] }, ...chunkUpserts(file, rows)]
}

/**
 * Writes rows as JSON arrays expanded by `json_each`: D1 binds at most 100 parameters and runs at most
 * 1,000 queries per invocation, so one row per statement would not scale to a 200,000-row sheet.
 */
export function chunkUpserts(file: IndexedFile, rows: readonly ChunkRowJson[]): SqlPart[] {
  const statements: SqlPart[] = []
  let batch: string[] = []
  let size = 0
  const flush = () => {
    if (batch.length === 0) return
    statements.push({ sql: INSERT, params: [file.id, file.orgId, file.workspaceId, file.filename, `[${batch.join(',')}]`] })
    batch = []
    size = 0
  }
  for (const row of rows) {
    if (size + row.length > JSON_BYTES_PER_STATEMENT) flush()
    batch.push(row)
    size += row.length
  }
  flush()
  return statements
}

/** A page of a file's chunk rows as `chunkUpserts` takes them, after (part, position) `?2, ?3`, at most `?4`. */
export const EXPORT_CHUNKS = `SELECT json_object(${COLUMNS.map((c) => `'${c}', ${c}`).join(', ')}) AS row, part, position
  FROM chunks WHERE file_id = ?1 AND (part > ?2 OR (part = ?2 AND position > ?3)) ORDER BY part, position LIMIT ?4`

/**
 * Rows in pages of at most `maxChars` characters of JSON (a row longer than that is a page of its
 * own), in order: what one call to a shard may carry, far under RPC's 32 MiB per message.
 */
export function rowPages(rows: readonly ChunkRowJson[], maxChars: number): ChunkRowJson[][] {
  const pages: ChunkRowJson[][] = [[]]
  let size = 0
  for (const row of rows) {
    if (size + row.length > maxChars && pages.at(-1)!.length > 0) {
      pages.push([])
      size = 0
    }
    pages.at(-1)!.push(row)
    size += row.length
  }
  return pages
}

/** A chunk row on its way to another layout of its workspace, with the file it belongs to. */
export type MovedRow = { fileId: string; row: ChunkRowJson }

/** A page of rows in rowid order after `?`, at most `?`, as `MovedRow`s (with `rowid` for the next page); the caller adds its scope. */
export const EXPORT_ROWS = (where: string) => `SELECT rowid, file_id AS fileId, json_object(${COLUMNS.map((c) => `'${c}', ${c}`).join(', ')}) AS row
  FROM chunks WHERE ${where} rowid > ? ORDER BY rowid LIMIT ?`

/** Chunk ids name their file (`<file>:<part>:<index>`, chunker.ts), so a chunk is routed without a lookup. */
export function fileOfChunk(chunkId: string): string {
  const colon = chunkId.indexOf(':')
  return colon < 0 ? chunkId : chunkId.slice(0, colon)
}
