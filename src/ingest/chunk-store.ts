/**
 * @module Writing a part's chunks and recording the part as finished, in one D1 batch (one
 * transaction): a redelivered part replaces exactly its own chunks, and the file turns `processed`
 * (files/lifecycle.ts) in the batch that records its last part, so two parts finishing together cannot both miss it.
 */
import { storePartStatement } from '../files/lifecycle'
import { fileIngestedStatement } from '../usage/record'
import type { PartPerception } from './perception/part-note'
import type { Chunk } from './segment'

export type PartOutcome = { status: string | null }

type FileRef = { id: string; orgId: string; workspaceId: string; filename: string }

/** Characters of chunk JSON per statement: even at 3 bytes a character, under D1's 2 MB per bound value. */
const JSON_BYTES_PER_STATEMENT = 600_000

const COLUMNS = ['id', 'part', 'position', 'text', 'heading', 'page', 'sheet', 'rows_from', 'rows_to', 'key_path', 'start_time', 'end_time', 'modality', 'char_start', 'char_end', 'token_count'] as const

/**
 * Inserts chunks as JSON arrays expanded by `json_each`: D1 binds at most 100 parameters and runs at
 * most 1,000 queries per invocation, so one row per statement would not scale to a 200,000-row sheet.
 */
function chunkInserts(d1: D1Database, file: FileRef, part: number, chunks: Chunk[]): D1PreparedStatement[] {
  const select = COLUMNS.map((c) => `json_extract(j.value, '$.${c}')`).join(', ')
  const update = COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = excluded.${c}`).join(', ')
  const sql = `INSERT INTO chunks (file_id, org_id, workspace_id, filename, ${COLUMNS.join(', ')})
    SELECT ?1, ?2, ?3, ?4, ${select} FROM json_each(?5) AS j WHERE true
    ON CONFLICT(id) DO UPDATE SET ${update}`
  const statements: D1PreparedStatement[] = []
  let batch: string[] = []
  let size = 0
  const flush = () => {
    if (batch.length === 0) return
    statements.push(d1.prepare(sql).bind(file.id, file.orgId, file.workspaceId, file.filename, `[${batch.join(',')}]`))
    batch = []
    size = 0
  }
  chunks.forEach((chunk, position) => {
    const p = chunk.provenance
    const row = JSON.stringify({
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
    if (size + row.length > JSON_BYTES_PER_STATEMENT) flush()
    batch.push(row)
    size += row.length
  })
  flush()
  return statements
}

/**
 * Stores a finished part. Returns the file's status afterwards (null when the file is gone).
 * `note` is kept with the part; when this part completes the file, every part's note becomes its
 * `status_details` (`finishNoteSql`), after "No text was found" for a `document` without chunks and
 * before a sentence on the file's unread pages when `perception` (a PDF part's) says some could not
 * be read. A stored part is progress: it stamps the file's `progress_at` and clears its `recoveries`.
 * The part that completes the file counts it, its pages and bytes in usage, in the same transaction.
 */
export async function storePart(
  d1: D1Database,
  file: FileRef,
  part: number,
  pages: number,
  chunks: Chunk[],
  note: string | null,
  perception: PartPerception | null = null,
  document = false,
): Promise<PartOutcome> {
  const p = perception
  const statements = [
    d1.prepare('DELETE FROM chunks WHERE file_id = ?1 AND part = ?2').bind(file.id, part),
    ...chunkInserts(d1, file, part, chunks),
    d1
      .prepare(
        `INSERT INTO file_parts (file_id, part, pages, finished_at, pages_rendered, pages_seen, pages_skipped, scans_unread, note)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9
         WHERE EXISTS (SELECT 1 FROM files WHERE id = ?1 AND status = 'processing') ON CONFLICT DO NOTHING`,
      )
      .bind(file.id, part, pages, Date.now(), p?.pagesRendered ?? 0, p?.pagesSeen ?? 0, p?.pagesSkipped ?? 0, p?.scansUnread ?? 0, note),
    storePartStatement(d1, file.id, { document, perception }),
    // Right after the statement that may complete the file, whose `changes()` it reads.
    fileIngestedStatement(d1, file.id),
    d1.prepare('SELECT status FROM files WHERE id = ?1').bind(file.id),
  ]
  const results = await d1.batch<{ status: string }>(statements)
  const status = results.at(-1)?.results[0]?.status ?? null
  // The file was deleted or failed while this part was parsed: leave nothing behind.
  if (status !== 'processing' && status !== 'processed') await removeChunks(d1, file.id)
  return { status }
}

/** The statements that remove everything a file's parts wrote (the FTS rows go with the chunks, by trigger). */
export function removalOf(d1: D1Database, fileId: string): D1PreparedStatement[] {
  return [
    d1.prepare('DELETE FROM chunks WHERE file_id = ?1').bind(fileId),
    d1.prepare('DELETE FROM file_parts WHERE file_id = ?1').bind(fileId),
    d1.prepare('DELETE FROM vision_pages WHERE file_id = ?1').bind(fileId),
  ]
}

export async function removeChunks(d1: D1Database, fileId: string): Promise<void> {
  await d1.batch(removalOf(d1, fileId))
}
