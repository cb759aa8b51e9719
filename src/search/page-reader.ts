/**
 * @module Reading a workspace beyond ranked hits, always inside a search scope (org, workspace,
 * processed files, the question's filter): a whole page or slide, the chunks around a passage, the
 * files in scope, and what a page picture is drawn from. Search owns the chunk tables; whoever needs
 * a page asks here rather than writing SQL over them.
 */
import { HIT_COLUMNS, hitFromRow, parseMetadata, scopeCondition, type ChunkHit, type HitRow, type SearchScope } from './chunk-hits'
import { d1Runner, type SqlRunner } from './sql-runner'

/** Chunks of one page, and of a neighbourhood, read at most. */
const MAX_PAGE_CHUNKS = 12

export type ListedFile = { file_id: string; filename: string; pages: number | null; chunks: number; metadata: Record<string, unknown> }

/** What a file's page pictures are drawn from: its format and where its bytes are kept. */
export type PageSource = { kind: string; blobKey: string }

export type PageReader = {
  /**
   * Every chunk of `page` of a file, in reading order (a page that does not exist reads as none);
   * `null` reads the chunks that have no page (an image's description, a text file).
   */
  readPage(scope: SearchScope, fileId: string, page: number | null): Promise<ChunkHit[]>
  /** The passage and up to `radius` chunks either side of it in its file, in reading order. */
  readAround(scope: SearchScope, chunkId: string, radius?: number): Promise<ChunkHit[]>
  /** The processed files in scope that hold at least one chunk the filter lets through, newest first. */
  listFiles(scope: SearchScope, limit?: number): Promise<{ files: ListedFile[]; total: number }>
  /**
   * The picture source of a file of the scope's workspace, or null for a file another workspace holds
   * (or none does): another's files are not even said to exist. Status and filter are not checked here;
   * the page's own chunks (`readPage`) say whether it may be looked at.
   */
  pageSource(scope: SearchScope, fileId: string): Promise<PageSource | null>
}

/** The reads of a page, a neighbourhood and the files in scope: what an index (D1, or each shard) answers itself. */
export type ChunkReads = Omit<PageReader, 'pageSource'>

/**
 * The reads over the chunk and file tables, wherever they run (sql-runner.ts).
 * @example const chunks = await chunkReads(d1Runner(d1)).readPage(scope, 'file-…', 12) // page 12, in reading order
 */
export function chunkReads(sql: SqlRunner): ChunkReads {
  return {
    async readPage(scope, fileId, page) {
      const where = scopeCondition(scope)
      const results = await sql.all<HitRow>(
        `SELECT ${HIT_COLUMNS} FROM chunks c JOIN files f ON f.id = c.file_id
          WHERE c.file_id = ? AND c.page IS ? AND ${where.sql} ORDER BY c.part, c.position LIMIT ${MAX_PAGE_CHUNKS}`,
        [fileId, page, ...where.params],
      )
      return results.map((row) => hitFromRow(row, 0))
    },

    async readAround(scope, chunkId, radius = 1) {
      const where = scopeCondition(scope)
      const span = Math.max(0, Math.min(radius, Math.floor(MAX_PAGE_CHUNKS / 2)))
      const results = await sql.all<HitRow>(
        `WITH anchor AS (SELECT file_id, part, position FROM chunks WHERE id = ?)
          SELECT ${HIT_COLUMNS} FROM chunks c JOIN files f ON f.id = c.file_id JOIN anchor a ON c.file_id = a.file_id
          WHERE c.part = a.part AND c.position BETWEEN a.position - ? AND a.position + ? AND ${where.sql}
          ORDER BY c.part, c.position`,
        [chunkId, span, span, ...where.params],
      )
      return results.map((row) => hitFromRow(row, 0))
    },

    async listFiles(scope, limit = 50) {
      const { files, total } = await listFilesByAge(sql, scope, limit)
      return { total, files: files.map(({ createdAtMs: _, ...file }) => file) }
    },
  }
}

/** A listed file with the time that orders the listing, for merging shards' listings. */
export type AgedFile = ListedFile & { createdAtMs: number }

/** The files in scope with at least one chunk the filter lets through, newest first (ties by id), at most `limit`, and how many there are. */
export async function listFilesByAge(sql: SqlRunner, scope: SearchScope, limit = 50): Promise<{ files: AgedFile[]; total: number }> {
  const where = scopeCondition(scope)
  const results = await sql.all<{ file_id: string; filename: string; pages: number | null; metadata: string; chunks: number; total: number; created_at_ms: number }>(
    `SELECT f.id AS file_id, f.filename, f.pages_total AS pages, f.metadata, f.created_at_ms, COUNT(*) AS chunks, COUNT(*) OVER () AS total
      FROM chunks c JOIN files f ON f.id = c.file_id WHERE ${where.sql}
      GROUP BY f.id ORDER BY f.created_at_ms DESC, f.id LIMIT ?`,
    [...where.params, limit],
  )
  return {
    total: results[0]?.total ?? 0,
    files: results.map((r) => ({ file_id: r.file_id, filename: r.filename, pages: r.pages, chunks: r.chunks, metadata: parseMetadata(r.metadata), createdAtMs: r.created_at_ms })),
  }
}

/** Where a file of the scope's workspace keeps its bytes: D1's `files`, which every index shares. */
export function d1PageSource(d1: D1Database): PageReader['pageSource'] {
  return (scope, fileId) =>
    d1
      .prepare('SELECT kind, blob_key AS blobKey FROM files WHERE id = ?1 AND org_id = ?2 AND workspace_id = ?3')
      .bind(fileId, scope.orgId, scope.workspaceId)
      .first<PageSource>()
}

/**
 * The reads over D1's chunk and file tables (the single index).
 * @example const chunks = await d1PageReader(d1).readPage(scope, 'file-…', 12) // page 12, in reading order
 */
export function d1PageReader(d1: D1Database): PageReader {
  return { ...chunkReads(d1Runner(d1)), pageSource: d1PageSource(d1) }
}
