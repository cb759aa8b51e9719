/**
 * @module Turns a person's question into an FTS5 MATCH expression: words only, each quoted as an
 * FTS5 string and joined with OR, so no input can reach FTS5's query syntax.
 *
 * Why this shape. FTS5 reads a bare `NEAR`, `AND`, `*`, `^`, `col:` or `(` in a MATCH string as syntax;
 * a question such as `what is "fair use" (US)?` would be an error or a different query. Inside a
 * double-quoted string every character is text, and the only character that could end the string
 * early is `"` itself — which never survives tokenising here, because a word is a run of letters,
 * digits and marks. The quoted word is then tokenised by the index's own tokenizer (porter over
 * unicode61), so stemming and case and diacritic folding match the indexed text exactly.
 *
 * OR rather than AND: a question rarely shares every word with its answer, and BM25 already ranks a
 * passage that has more of the rarer words higher. Stop words are dropped, since they match nearly
 * every row (costing time) while adding almost nothing to a BM25 score; a question made only of stop
 * words ("to be or not to be") keeps them all, since they are then all it has. Each word is searched
 * once. On the BEIR SciFact train queries, keeping stop words scored nDCG@10 0.706 against 0.707 in
 * twice the time, and repeating words as often as the question does, 0.701. Adding adjacent words as
 * phrases scored 0.668 (a rare phrase outweighs its words), and rewarding a passage for the share of
 * the words it has (Lucene's old coord factor) at best 0.710, within noise of 0.707 at 1.6 times the
 * cost; bench/scifact-tune.py prints these.
 */

/** Lucene's English stop words, as BM25 baselines (Pyserini, Elasticsearch) use them. */
export const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'is', 'it', 'no', 'not', 'of',
  'on', 'or', 'such', 'that', 'the', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with',
])

/** Distinct words a query keeps: enough for a long pasted paragraph, bounded so its cost is too. */
export const MAX_QUERY_TERMS = 64

/** Characters of a single word; longer runs are cut (they are not words but data). */
const MAX_TERM_CHARS = 64

/**
 * A word: a letter, digit or private-use character, then any of those or combining marks. The same
 * characters unicode61 keeps in a token, plus marks, which it folds or splits on by itself.
 */
const WORD = /[\p{L}\p{N}\p{Co}][\p{L}\p{N}\p{M}\p{Co}]*/gu

export type FtsQuery = {
  /** The MATCH expression, e.g. `"vitamin" OR "d" OR "deficiency"`. */
  match: string
  /** The words it searches for, lower-cased, in the order they first appear. */
  terms: string[]
}

/** The words of `text`, lower-cased, in order, repeats included. */
export function queryWords(text: string): string[] {
  const words: string[] = []
  for (const match of text.normalize('NFC').matchAll(WORD)) words.push(match[0].slice(0, MAX_TERM_CHARS).toLowerCase())
  return words
}

/**
 * The MATCH expression for a question, or null when it has no words to search for.
 * @example ftsQuery('What is "fair use" (US)?') // { match: '"what" OR "fair" OR "use" OR "us"', terms: [...] }
 */
export function ftsQuery(text: string): FtsQuery | null {
  const words = queryWords(text)
  const content = words.filter((w) => !STOP_WORDS.has(w))
  const kept = content.length > 0 ? content : words
  const terms = [...new Set(kept)].slice(0, MAX_QUERY_TERMS)
  if (terms.length === 0) return null
  return { match: anyOf(terms), terms }
}

/**
 * The MATCH expression for chunks holding any of `terms`, words as `ftsQuery` keeps them.
 * @example anyOf(['fair', 'use']) // '"fair" OR "use"'
 */
export function anyOf(terms: readonly string[]): string {
  // A word holds no `"`, so wrapping it in quotes makes one FTS5 string that cannot end early.
  return terms.map((t) => `"${t}"`).join(' OR ')
}
