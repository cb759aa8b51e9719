/**
 * @module Chunks as search hits: the scope every search arm answers within (org, workspace, processed
 * files, the question's filter) as SQL, the columns a hit carries, and loading hits by chunk id.
 *
 * Only chunks of `processed` files are searched. A big PDF's parts are written while the file is still
 * `processing`, and a file that fails later loses its chunks again; searching only finished files means
 * a file appears in answers whole, at the moment its listing says `processed`, and never half or
 * briefly before it turns out damaged.
 */
import { unexpiredSql } from '../files/access'
import { compileToSql, tableColumns, type FilterNode, type SqlColumns } from '../filter'
import type { Box } from './page-layout'
import { runnerOf, type SqlRunner } from './sql-runner'

/** One chunk found by a search, with everything a citation needs. */
export type ChunkHit = {
  chunkId: string
  fileId: string
  filename: string
  text: string
  /** The heading path joined with " > ", where the format has headings. */
  heading: string | null
  /** 1-based page or slide; null where the format has no pages. */
  page: number | null
  sheet: string | null
  rows: [number, number] | null
  startTime: number | null
  endTime: number | null
  modality: string
  /** The file's own metadata. */
  fileMetadata: Record<string, unknown>
  /** The arm's own score, higher is better; comparable only within one arm's list. */
  score: number
  /** Where the text stands on its page (evidence-boxes.ts), once looked up; absent where the page has no layout. */
  boxes?: Box[]
}

/** Where a search looks: one workspace of one org, narrowed by the question's filter. */
export type SearchScope = {
  orgId: string
  workspaceId: string
  /** Parsed with `chunkAttributes`, so `page` and `modality` may be tested too. */
  filter?: FilterNode | null
}

/** The filter language's names as columns of `chunks c JOIN files f`. */
export const SCOPE_COLUMNS: SqlColumns = tableColumns('f', 'c')

export type SqlPart = { sql: string; params: unknown[] }

/**
 * The scope as a WHERE condition over `chunks c JOIN files f`, with `?` placeholders bound in textual
 * order. The filter compiles to one placeholder whatever its size, far inside D1's 100 per statement.
 */
export function scopeCondition(scope: SearchScope): SqlPart {
  // A file past its expiry is out of every search at once, before the sweep deletes it (files/expiry.ts).
  const sql = [`c.org_id = ? AND c.workspace_id = ? AND f.status = 'processed' AND ${unexpiredSql('f')}`]
  const params: unknown[] = [scope.orgId, scope.workspaceId, Date.now()]
  if (scope.filter) {
    const compiled = compileToSql(scope.filter, SCOPE_COLUMNS)
    sql.push(compiled.sql)
    params.push(...compiled.params)
  }
  return { sql: sql.join(' AND '), params }
}

/** The columns a hit is read from, over `chunks c JOIN files f`. */
export const HIT_COLUMNS =
  'c.id AS chunk_id, c.file_id, c.filename, c.text, c.heading, c.page, c.sheet, c.rows_from, c.rows_to, c.start_time, c.end_time, c.modality, f.metadata AS file_metadata'

export type HitRow = {
  chunk_id: string
  file_id: string
  filename: string
  text: string
  heading: string | null
  page: number | null
  sheet: string | null
  rows_from: number | null
  rows_to: number | null
  start_time: number | null
  end_time: number | null
  modality: string
  file_metadata: string
}

export function hitFromRow(row: HitRow, score: number): ChunkHit {
  return {
    chunkId: row.chunk_id,
    fileId: row.file_id,
    filename: row.filename,
    text: row.text,
    heading: row.heading,
    page: row.page,
    sheet: row.sheet,
    rows: row.rows_from !== null ? [row.rows_from, row.rows_to ?? row.rows_from] : null,
    startTime: row.start_time,
    endTime: row.end_time,
    modality: row.modality,
    fileMetadata: parseMetadata(row.file_metadata),
    score,
  }
}

/** A file's metadata column as an object; anything else (never written, but old rows) reads as none. */
export function parseMetadata(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/**
 * Loads chunks found by another arm (e.g. a vector store), keeping only those inside the scope, in
 * the order given. Arms that cannot apply the whole filter themselves over-fetch; this is where their
 * results are held to the same tenancy, status and filter as the lexical arm's.
 */
export async function loadHits(source: D1Database | SqlRunner, scope: SearchScope, found: ReadonlyArray<{ chunkId: string; score: number }>): Promise<ChunkHit[]> {
  if (found.length === 0) return []
  const where = scopeCondition(scope)
  // The ids travel as one JSON parameter: D1 binds at most 100 per statement.
  const results = await runnerOf(source).all<HitRow>(
    `SELECT ${HIT_COLUMNS} FROM chunks c JOIN files f ON f.id = c.file_id WHERE c.id IN (SELECT value FROM json_each(?)) AND ${where.sql}`,
    [JSON.stringify(found.map((f) => f.chunkId)), ...where.params],
  )
  const byId = new Map(results.map((r) => [r.chunk_id, r]))
  const hits: ChunkHit[] = []
  for (const { chunkId, score } of found) {
    const row = byId.get(chunkId)
    if (row) hits.push(hitFromRow(row, score))
  }
  return hits
}
