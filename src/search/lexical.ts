/**
 * @module The lexical arm: BM25 over the FTS5 index of chunk text, heading path and file name, within
 * a search scope (org, workspace, processed files, the question's filter), best first.
 */
import { ftsQuery } from './fts-query'
import { HIT_COLUMNS, hitFromRow, scopeCondition, type ChunkHit, type HitRow, type SearchScope } from './chunk-hits'

/**
 * How much one occurrence counts in each column of `chunks_fts`, in its column order. Tuned on the
 * BEIR SciFact train queries only (bench/scifact-tune.py): a word in the heading path counts double,
 * since a heading is a short, dense summary of its section. nDCG@10 on train, heading weight 0 to 4:
 * 0.700, 0.706, 0.707, 0.708, 0.703; 2 is at or within 0.001 of the best at every k1 tried. Scaling
 * all three weights together amounts to choosing BM25's k1, which FTS5 fixes at 1.2: effective k1
 * from 0.6 to 1.6 scored within 0.003 of each other, so they stay at 1. SciFact's file names are
 * document numbers, so it cannot tune the file-name weight, which keeps FTS5's default of 1.
 */
export const BM25_WEIGHTS = { text: 1, heading: 2, filename: 1 } as const

/** Candidates one lexical search may return. */
export const MAX_LEXICAL_CANDIDATES = 200

export type LexicalRequest = SearchScope & {
  query: string
  /** How many candidates to return, best first. */
  limit: number
}

/** The fast path ranks this many times `limit` over the whole index before applying the scope. */
export const FAST_PATH_FACTOR = 4

/**
 * The best `limit` chunks for the question by BM25, each scored with FTS5's bm25() negated, so that
 * higher is better. A question without a word to search for (only punctuation) finds nothing.
 *
 * Ranking costs one bm25() per matching row, and checking the scope one join to `chunks` and one to
 * `files` per row: two thirds of the time on SciFact. Without a filter, the fast path therefore ranks
 * the whole index first and checks the scope only for its top `FAST_PATH_FACTOR × limit` rows. When at
 * least `limit` of those are in scope they are exactly the scoped query's answer — every in-scope row
 * further down ranks below all of them — so nothing changes but the time. Otherwise (a workspace with a
 * small share of the index, a narrow filter) the scoped query runs, with the scope before the limit,
 * so another workspace's matches never crowd out this one's.
 */
export async function lexicalSearch(d1: D1Database, request: LexicalRequest): Promise<ChunkHit[]> {
  const query = ftsQuery(request.query)
  const limit = Math.max(0, Math.min(Math.floor(request.limit), MAX_LEXICAL_CANDIDATES))
  if (!query || limit === 0) return []
  const where = scopeCondition(request)
  if (!request.filter) {
    const fast = await hits(d1, fastRanking(where.sql), [query.match, limit * FAST_PATH_FACTOR, ...where.params, limit])
    if (fast.length >= limit) return fast
  }
  return hits(d1, scopedRanking(where.sql), [query.match, ...where.params, limit])
}

const BM25 = `bm25(chunks_fts, ${BM25_WEIGHTS.text}, ${BM25_WEIGHTS.heading}, ${BM25_WEIGHTS.filename})`

/** Best `?` rows of the whole index, then those in scope, best `?` of them. */
const fastRanking = (scope: string) => `SELECT top.rid, top.score FROM (
    SELECT rowid AS rid, ${BM25} AS score FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY score, rid LIMIT ?
  ) top JOIN chunks c ON c.rowid = top.rid JOIN files f ON f.id = c.file_id
  WHERE ${scope} ORDER BY top.score, top.rid LIMIT ?`

/** Best `?` rows in scope, every matching row checked. */
const scopedRanking = (scope: string) => `SELECT c.rowid AS rid, ${BM25} AS score
  FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid JOIN files f ON f.id = c.file_id
  WHERE chunks_fts MATCH ? AND ${scope} ORDER BY score, rid LIMIT ?`

/** Reads the chunks a ranking names: it carries two numbers per row, so only the winners' texts are read. */
async function hits(d1: D1Database, ranking: string, params: unknown[]): Promise<ChunkHit[]> {
  const { results } = await d1
    .prepare(`SELECT ${HIT_COLUMNS}, ranked.score AS score FROM (${ranking}) ranked
      JOIN chunks c ON c.rowid = ranked.rid JOIN files f ON f.id = c.file_id ORDER BY ranked.score, ranked.rid`)
    .bind(...params)
    .all<HitRow & { score: number }>()
  return results.map((row) => hitFromRow(row, -row.score))
}
