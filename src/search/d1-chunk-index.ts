/**
 * @module The single index: chunks, `chunks_fts` and `files` in D1 itself, searched with a join to
 * D1's own file rows, so there is nothing to publish. A workspace whose placement names no shards
 * (`index_shards = 0`, shards/placement.ts) lives here.
 */
import { loadHits } from './chunk-hits'
import { partWrites, chunkRows, type ChunkRef } from './chunk-rows'
import type { ChunkIndex } from './chunk-index'
import { lexicalSearch } from './lexical'
import { chunkReads } from './page-reader'
import { d1Runner } from './sql-runner'

export function d1ChunkIndex(d1: D1Database): ChunkIndex {
  const sql = d1Runner(d1)
  return {
    ...chunkReads(sql),
    async lexical(request) {
      const meter = { rowsRead: 0 }
      const hits = await lexicalSearch(d1Runner(d1, meter), request)
      return { hits, rowsRead: meter.rowsRead }
    },
    load: (scope, found) => loadHits(sql, scope, found),
    async excerpt(file, limit) {
      return sql.all('SELECT text, page, token_count AS tokens FROM chunks WHERE file_id = ? ORDER BY part, position LIMIT ?', [file.id, limit])
    },
    async writePart(file, part, chunks) {
      // One batch, one transaction: a reader sees the part's old chunks or its new ones, never a mix.
      await d1.batch(partWrites(file, part, chunkRows(part, chunks)).map((s) => d1.prepare(s.sql).bind(...s.params)))
    },
    async publish() {
      // Searches here join D1's file rows themselves: there is no copy to refresh.
    },
    async removeFiles(files) {
      if (files.length === 0) return []
      const ids = JSON.stringify(files.map((f) => f.id))
      const [refs] = await d1.batch<ChunkRef>([
        d1.prepare('SELECT id, org_id AS orgId, workspace_id AS workspaceId FROM chunks WHERE file_id IN (SELECT value FROM json_each(?1))').bind(ids),
        d1.prepare('DELETE FROM chunks WHERE file_id IN (SELECT value FROM json_each(?1))').bind(ids),
      ])
      return refs?.results ?? []
    },
  }
}

/** What a search is handed: the deps' index, or D1's own tables where only the database is (a test's `{ d1: env.DB }`). */
export type IndexDeps = { d1: D1Database; index?: ChunkIndex }

export function chunkIndexOf(deps: IndexDeps): ChunkIndex {
  return deps.index ?? d1ChunkIndex(deps.d1)
}
