/**
 * @module A retrieved chunk as the API shows it: the fields an `l0-retrieval` element's `metadata`, a
 * `relevant_docs` item and a `file_citation` share, so every answer cites a source the same way.
 */
import type { ChunkHit } from './chunk-hits'
import type { Box } from './page-layout'

export type EvidenceFields = {
  file_id: string
  filename: string
  chunk_id: string
  score: number
  modality: string
  /** 1-based page or slide; null where the format has no pages. */
  page: number | null
  sheet?: string
  /** The table rows the chunk holds, first and last. */
  rows?: [number, number]
  start_time?: number
  end_time?: number
  heading?: string
  /** Rectangles around the text on its page (0..1, origin top-left); only where the page keeps its text positions. */
  boxes?: Box[]
  file_metadata: Record<string, unknown>
}

/** The citation fields of a hit; `sheet`, `rows`, times, `heading` and `boxes` only where the format has them. */
export function evidenceFields(hit: ChunkHit): EvidenceFields {
  return {
    file_id: hit.fileId,
    filename: hit.filename,
    chunk_id: hit.chunkId,
    score: hit.score,
    modality: hit.modality,
    page: hit.page,
    ...(hit.sheet !== null && { sheet: hit.sheet }),
    ...(hit.rows !== null && { rows: hit.rows }),
    ...(hit.startTime !== null && { start_time: hit.startTime }),
    ...(hit.endTime !== null && { end_time: hit.endTime }),
    ...(hit.heading !== null && hit.heading !== '' && { heading: hit.heading }),
    ...(hit.boxes && { boxes: hit.boxes }),
    file_metadata: hit.fileMetadata,
  }
}
