/**
 * @module Reading a workspace beyond ranked hits, always inside a search scope (org, workspace,
 * processed files, the question's filter): a whole page or slide, the chunks around a passage, the
 * files in scope, and what a page picture is drawn from. Search owns the chunk tables; whoever needs
 * a page asks here rather than writing SQL over them.
 */
import { HIT_COLUMNS, hitFromRow, parseMetadata, scopeCondition, type ChunkHit, type HitRow, type SearchScope } from './chunk-hits'

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

/**
 * The reads over D1's chunk and file tables.
 * @example const chunks = await d1PageReader(d1).readPage(scope, 'file-…', 12) // page 12, in reading order
 */
export function d1PageReader(d1: D1Database): PageReader {
  return {
    async readPage(scope, fileId, page) {
      const where = scopeCondition(scope)
      const { results } = await d1
        .prepare(`SELECT ${HIT_COLUMNS} FROM chunks c JOIN files f ON f.id = c.file_id
          WHERE c.file_id = ? AND c.page IS ? AND ${where.sql} ORDER BY c.part, c.position LIMIT ${MAX_PAGE_CHUNKS}`)
        .bind(fileId, page, ...where.params)
        .all<HitRow>()
      return results.map((row) => hitFromRow(row, 0))
    },

    async readAround(scope, chunkId, radius = 1) {
      const where = scopeCondition(scope)
      const span = Math.max(0, Math.min(radius, Math.floor(MAX_PAGE_CHUNKS / 2)))
      const { results } = await d1
        .prepare(`WITH anchor AS (SELECT file_id, part, position FROM chunks WHERE id = ?)
          SELECT ${HIT_COLUMNS} FROM chunks c JOIN files f ON f.id = c.file_id JOIN anchor a ON c.file_id = a.file_id
          WHERE c.part = a.part AND c.position BETWEEN a.position - ? AND a.position + ? AND ${where.sql}
          ORDER BY c.part, c.position`)
        .bind(chunkId, span, span, ...where.params)
        .all<HitRow>()
      return results.map((row) => hitFromRow(row, 0))
    },

    async listFiles(scope, limit = 50) {
      const where = scopeCondition(scope)
      const { results } = await d1
        .prepare(`SELECT f.id AS file_id, f.filename, f.pages_total AS pages, f.metadata, COUNT(*) AS chunks, COUNT(*) OVER () AS total
          FROM chunks c JOIN files f ON f.id = c.file_id WHERE ${where.sql}
          GROUP BY f.id ORDER BY f.created_at_ms DESC LIMIT ?`)
        .bind(...where.params, limit)
        .all<{ file_id: string; filename: string; pages: number | null; metadata: string; chunks: number; total: number }>()
      return {
        total: results[0]?.total ?? 0,
        files: results.map((r) => ({ file_id: r.file_id, filename: r.filename, pages: r.pages, chunks: r.chunks, metadata: parseMetadata(r.metadata) })),
      }
    },

    pageSource(scope, fileId) {
      return d1
        .prepare('SELECT kind, blob_key AS blobKey FROM files WHERE id = ?1 AND org_id = ?2 AND workspace_id = ?3')
        .bind(fileId, scope.orgId, scope.workspaceId)
        .first<PageSource>()
    },
  }
}
