/**
 * @module Storing a finished part: its chunks go to the workspace's index (search/chunk-index.ts),
 * then one D1 batch (one transaction) records the part — how many chunks it wrote, its pages and note —
 * and turns the file `processed` (files/lifecycle.ts) in the batch that records its last part, so two
 * parts finishing together cannot both miss it. A redelivered part replaces exactly its own chunks.
 * A search never sees a part's chunks before its file is `processed`, so writing them first is safe.
 */
import { storePartStatement } from '../files/lifecycle'
import type { Ports } from '../ports'
import type { FileAt } from '../search/chunk-index'
import type { IndexedFile } from '../search/chunk-rows'
import { fileIngestedStatement } from '../usage/record'
import type { PartPerception } from './perception/part-note'
import type { Chunk } from './segment'

export type PartOutcome = { status: string | null }

type IndexDeps = Pick<Ports, 'd1' | 'index'>

/**
 * Stores a finished part. Returns the file's status afterwards (null when the file is gone).
 * `note` is kept with the part; when this part completes the file, every part's note becomes its
 * `status_details` (`finishNoteSql`), after "No text was found" for a `document` without chunks and
 * before a sentence on the file's unread pages when `perception` (a PDF part's) says some could not
 * be read. A stored part is progress: it stamps the file's `progress_at` and clears its `recoveries`.
 * The part that completes the file counts it, its pages and bytes in usage, in the same transaction.
 */
export async function storePart(
  deps: IndexDeps,
  file: IndexedFile,
  part: number,
  pages: number,
  chunks: Chunk[],
  note: string | null,
  perception: PartPerception | null = null,
  document = false,
): Promise<PartOutcome> {
  const p = perception
  const d1 = deps.d1
  await deps.index.writePart(file, part, chunks)
  const statements = [
    d1
      .prepare(
        `INSERT INTO file_parts (file_id, part, pages, finished_at, pages_rendered, pages_seen, pages_skipped, scans_unread, note, chunks)
         SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10
         WHERE EXISTS (SELECT 1 FROM files WHERE id = ?1 AND status = 'processing') ON CONFLICT DO NOTHING`,
      )
      .bind(file.id, part, pages, Date.now(), p?.pagesRendered ?? 0, p?.pagesSeen ?? 0, p?.pagesSkipped ?? 0, p?.scansUnread ?? 0, note, chunks.length),
    storePartStatement(d1, file.id, { document, perception }),
    // Right after the statement that may complete the file, whose `changes()` it reads.
    fileIngestedStatement(d1, file.id),
    d1.prepare('SELECT status FROM files WHERE id = ?1').bind(file.id),
  ]
  const results = await d1.batch<{ status: string }>(statements)
  const status = results.at(-1)?.results[0]?.status ?? null
  // Searchable from here: the index's copy of the file learns it is processed (again, for a redelivery
  // after a crash between the two writes, which then finds the file processed already).
  if (status === 'processed') await deps.index.publish([file])
  // The file was deleted or failed while this part was parsed: leave nothing behind.
  if (status !== 'processing' && status !== 'processed') await removeIndexed(deps, file)
  return { status }
}

/** The statements that remove the records of a file's parts from D1 (its chunks are the index's: `removeIndexed`). */
export function partRecordsRemoval(d1: D1Database, fileId: string): D1PreparedStatement[] {
  return [d1.prepare('DELETE FROM file_parts WHERE file_id = ?1').bind(fileId), d1.prepare('DELETE FROM vision_pages WHERE file_id = ?1').bind(fileId)]
}

/** Removes everything a file's parts wrote: its chunks from the index, then its part records. */
export async function removeIndexed(deps: IndexDeps, file: FileAt): Promise<void> {
  await deps.index.removeFiles([file])
  await deps.d1.batch(partRecordsRemoval(deps.d1, file.id))
}
