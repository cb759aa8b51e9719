/**
 * @module Brute-force vector search over rows kept beside the chunk index — D1's `vectors` table
 * (vector-d1.ts) or an index shard's (shards/shard-vectors.ts): the filter's meaning (Vectorize's,
 * `vectorizeFilterMatches`), the shortcut when it pins `file_id`, and scoring a decoded snapshot.
 */
import { vectorizeFilterMatches, type VectorizeFilter } from '../filter'
import { TopK, type VectorMatch, type VectorQuery } from './vector-store'
import { rowCosine, type Snapshot } from './vector-snapshots'

/** Rows that pass a query's filter: the filter's own test, and the file list it pins, if any. */
export type VectorScan = {
  /** The files the filter pins `file_id` to, so only their rows need reading; null when it pins none. */
  files: string[] | null
  /** Whether a row's stored metadata (JSON) passes the filter. */
  passes(metadata: string): boolean
  /** The best `topK` so far. */
  best: TopK
}

/** The most matches one query returns, as Vectorize (without values or metadata). */
export const MAX_TOP_K = 100

export function vectorScan({ topK, filter }: VectorQuery): VectorScan {
  const hasFilter = filter !== undefined && Object.keys(filter).length > 0
  return {
    files: hasFilter ? fileIdsOf(filter) : null,
    passes: (metadata) => !hasFilter || vectorizeFilterMatches(filter, parseMetadata(metadata)),
    best: new TopK(Math.max(1, Math.min(Math.floor(topK), MAX_TOP_K))),
  }
}

/** Scores every row of a snapshot that passes the scan's filter; the best are in `scan.best`. */
export function scoreSnapshot(snapshot: Snapshot, query: Float32Array, scan: VectorScan): VectorMatch[] {
  let norm = 0
  for (let j = 0; j < snapshot.dimensions; j++) norm += query[j]! * query[j]!
  norm = Math.sqrt(norm)
  const wanted = scan.files ? new Set(scan.files) : null
  for (let row = 0; row < snapshot.ids.length; row++) {
    if (wanted && !wanted.has(snapshot.fileIds[row]!)) continue
    if (!scan.passes(snapshot.metadata[row]!)) continue
    scan.best.offer({ id: snapshot.ids[row]!, score: rowCosine(snapshot, row, query, norm) })
  }
  return scan.best.best()
}

/** When the filter pins `file_id` to a list, only those files' rows need reading (exact: every vector has one). */
function fileIdsOf(filter: VectorizeFilter): string[] | null {
  const field = filter.file_id as Record<string, unknown> | undefined
  if (!field) return null
  if (typeof field.$eq === 'string') return [field.$eq]
  if (Array.isArray(field.$in) && field.$in.every((v) => typeof v === 'string')) return field.$in as string[]
  return null
}

export function parseMetadata(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}
