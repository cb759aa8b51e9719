/**
 * @module The lexical arm: BM25 over the FTS5 index of chunk text, heading path and file name, within
 * a search scope (org, workspace, processed files, the question's filter), best first.
 */
import { anyOf, ftsQuery } from './fts-query'
import { HIT_COLUMNS, hitFromRow, scopeCondition, type ChunkHit, type HitRow, type SearchScope, type SqlPart } from './chunk-hits'
import { runnerOf, type SqlRunner } from './sql-runner'
import { postingCounts, splitByRarity } from './term-rarity'

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

/** The fast path ranks this many times `limit` over the whole index before applying the scope (see `ranking`). */
export const FAST_PATH_FACTOR = 4

/**
 * The best `limit` chunks for the question by BM25, each scored with FTS5's bm25() negated, so that
 * higher is better. A question without a word to search for (only punctuation) finds nothing.
 *
 * The rare words of the question (term-rarity.ts) find the candidates: every chunk in scope holding
 * one of them, scored by those words. Where the question also has common words, `(rare) AND (common)`
 * scores the candidates that hold both with every word — its phrases are each word once, so its
 * bm25() is exactly the full OR query's — and a candidate takes the better of its two scores. Every
 * chunk holding a rare word therefore gets exactly the score the full query would give it, and the
 * best `limit` of each list hold the best `limit` overall (a chunk without a common word scores the
 * same in both senses; one with a common word is in the second list with its full score). What is
 * left out is a chunk holding only common words, which BM25 ranks low; FTS5 reads the common words'
 * postings only to seek the candidates', so the cost follows the rare words' postings.
 */
export async function lexicalSearch(source: D1Database | SqlRunner, request: LexicalRequest, options: { rareBudget?: number } = {}): Promise<ChunkHit[]> {
  const sql = runnerOf(source)
  const query = ftsQuery(request.query)
  const limit = Math.max(0, Math.min(Math.floor(request.limit), MAX_LEXICAL_CANDIDATES))
  if (!query || limit === 0) return []
  const where = scopeCondition(request)
  const ranked = (match: string) => ranking(sql, match, where, limit, !request.filter)
  const { rare, common } = query.terms.length > 1 ? splitByRarity(query.terms, await countPostings(sql, query.terms), options.rareBudget) : { rare: query.terms, common: [] }
  if (common.length === 0) return load(sql, await ranked(query.match))
  const lists = await Promise.all([ranked(anyOf(rare)), ranked(`(${anyOf(rare)}) AND (${anyOf(common)})`)])
  return load(sql, bestOf(lists, limit))
}

/** A chunk by its rowid and its bm25() (lower is better), as the rankings return them. */
type Ranked = { rid: number; score: number }

async function countPostings(runner: SqlRunner, terms: string[]): Promise<Map<string, number>> {
  const { sql, params } = postingCounts(terms)
  const results = await runner.all<{ term: string; postings: number }>(sql, params)
  return new Map(results.map((r) => [r.term, r.postings]))
}

/**
 * The best `limit` chunks in scope for a MATCH expression. Ranking costs one bm25() per matching row,
 * and checking the scope one join to `chunks` and one to `files` per row: two thirds of the time on
 * SciFact. Without a filter, the fast path therefore ranks the whole index first and checks the scope
 * only for its top `FAST_PATH_FACTOR × limit` rows. When at least `limit` of those are in scope they
 * are exactly the scoped query's answer — every in-scope row further down ranks below all of them —
 * so nothing changes but the time. Otherwise (a workspace with a small share of the index, a narrow
 * filter) the scoped query runs, with the scope before the limit, so another workspace's matches never
 * crowd out this one's.
 */
async function ranking(runner: SqlRunner, match: string, where: SqlPart, limit: number, unfiltered: boolean): Promise<Ranked[]> {
  const run = (sql: string, params: unknown[]) => runner.all<Ranked>(sql, params)
  if (unfiltered) {
    const fast = await run(fastRanking(where.sql), [match, limit * FAST_PATH_FACTOR, ...where.params, limit])
    if (fast.length >= limit) return fast
  }
  return run(scopedRanking(where.sql), [match, ...where.params, limit])
}

/** Each chunk once at its best (lowest) bm25(), the best `limit`, ties by rowid as a single ranking orders them. */
function bestOf(lists: Ranked[][], limit: number): Ranked[] {
  const best = new Map<number, number>()
  for (const list of lists) for (const { rid, score } of list) best.set(rid, Math.min(score, best.get(rid) ?? Infinity))
  return [...best]
    .map(([rid, score]) => ({ rid, score }))
    .sort((a, b) => a.score - b.score || a.rid - b.rid)
    .slice(0, limit)
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

/** Reads the chunks a ranking names, in its order: the rankings carry two numbers per row, so only the winners' texts are read. */
async function load(runner: SqlRunner, ranked: Ranked[]): Promise<ChunkHit[]> {
  if (ranked.length === 0) return []
  const results = await runner.all<HitRow & { rid: number }>(
    `SELECT ${HIT_COLUMNS}, c.rowid AS rid FROM chunks c JOIN files f ON f.id = c.file_id
      WHERE c.rowid IN (SELECT value FROM json_each(?))`,
    [JSON.stringify(ranked.map((r) => r.rid))],
  )
  const rows = new Map(results.map((row) => [row.rid, row]))
  return ranked.flatMap(({ rid, score }) => {
    const row = rows.get(rid)
    return row ? [hitFromRow(row, -score)] : []
  })
}
