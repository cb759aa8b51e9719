/**
 * @module Splits a question's words into the rare ones, which find the candidates, and the common
 * ones, which only add to the score of candidates that hold them — by how many chunks of the index
 * hold each word.
 *
 * Why. An OR query's cost is the number of postings FTS5 reads and scores: every chunk holding any of
 * the words. A common word ("cell", "patients") makes that grow with the index, while a chunk holding
 * only common words almost never ranks near the top (BM25 gives them little weight). Searching the
 * rarest words first, within a budget of postings, bounds the cost by the budget instead of by the
 * index; lexical.ts then scores those candidates with every word. bench/scifact-prune.py measured,
 * on the SciFact train queries at 50 times the corpus (330,250 chunks): the full query p95 254 ms;
 * rare words within 20,000 postings plus the common words' part, p95 57 ms at the same nDCG@10.
 */
import type { SqlPart } from './chunk-hits'

/**
 * Postings the rare words may add up to. Tuned on SciFact's train queries at 50×: 10,000 lost 0.015
 * nDCG@10, 20,000 and 30,000 lost nothing, and each doubling costs about 1.4 times the time. On an
 * index this small every word fits, and the query is exactly the full one.
 */
export const RARE_POSTINGS_BUDGET = 20_000

export type TermSplit = {
  /** Words whose chunks are searched: the rarest first, at least one. */
  rare: string[]
  /** Words that only add to the score of a chunk found by a rare word. */
  common: string[]
}

/**
 * How many chunks hold each word, counted by the index itself, so the count passes through the same
 * tokenizer (porter stemming, case and diacritic folding) as a search. Counting reads a word's posting
 * list without positions or scores, a small share of what searching it costs. Words hold no `"`
 * (fts-query.ts), so quoting one makes a single FTS5 string.
 */
export function postingCounts(terms: string[]): SqlPart {
  return {
    sql: `SELECT w.value AS term, (SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH '"' || w.value || '"') AS postings
      FROM json_each(?) w`,
    params: [JSON.stringify(terms)],
  }
}

/**
 * The rarest words whose counts add up to at most `budget` (always the rarest one that some chunk
 * holds, however common), then the rest. Ties keep the question's order.
 * @example splitByRarity(['vitamin', 'cell'], new Map([['vitamin', 900], ['cell', 40_000]]), 20_000)
 * // { rare: ['vitamin'], common: ['cell'] }
 */
export function splitByRarity(terms: string[], postings: ReadonlyMap<string, number>, budget = RARE_POSTINGS_BUDGET): TermSplit {
  const byRarity = terms.map((term, order) => ({ term, order, n: postings.get(term) ?? 0 }))
  byRarity.sort((a, b) => a.n - b.n || a.order - b.order)
  const rare = new Set<string>()
  let total = 0
  for (const { term, n } of byRarity) {
    // A word no chunk holds (a typo, a name from elsewhere) finds nothing, so it cannot be the one word searched.
    if (total > 0 && total + n > budget) break
    rare.add(term)
    total += n
  }
  return { rare: terms.filter((t) => rare.has(t)), common: terms.filter((t) => !rare.has(t)) }
}
