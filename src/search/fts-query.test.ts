import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { ftsQuery, MAX_QUERY_TERMS, queryWords } from './fts-query'

const injections = [
  'title:secret',
  'NEAR(a b, 1)',
  'a AND b',
  'a OR b NOT c',
  '"unterminated',
  'a" OR "b',
  'pre*',
  '^start',
  '(a OR b',
  '{text heading}: x',
  '- a + b',
  "'; DROP TABLE chunks; --",
  'a\u0000b',
  '\u0301\u0301',
]

describe('ftsQuery', () => {
  it('quotes each word and joins them with OR', () => {
    expect(ftsQuery('Vitamin D deficiency')).toEqual({ match: '"vitamin" OR "d" OR "deficiency"', terms: ['vitamin', 'd', 'deficiency'] })
  })

  it('drops stop words, unless the question has nothing else', () => {
    expect(ftsQuery('What is the role of p53 in cancer?')!.terms).toEqual(['what', 'role', 'p53', 'cancer'])
    expect(ftsQuery('to be or not to be')!.terms).toEqual(['to', 'be', 'or', 'not'])
  })

  it('keeps each word once, in first-seen order', () => {
    expect(ftsQuery('cancer risk and Cancer RISK')!.terms).toEqual(['cancer', 'risk'])
  })

  it('splits on hyphens, slashes and other punctuation as the tokenizer does', () => {
    expect(queryWords('0-dimensional biomaterials/scaffolds, 1.5%')).toEqual(['0', 'dimensional', 'biomaterials', 'scaffolds', '1', '5'])
  })

  it('keeps letters of every script and numbers', () => {
    expect(queryWords('Café naïve 東京 Москва ٣')).toEqual(['café', 'naïve', '東京', 'москва', '٣'])
  })

  it('returns null when there is no word to search for', () => {
    expect(ftsQuery('')).toBeNull()
    expect(ftsQuery('?!* ()"" ^:')).toBeNull()
  })

  it('bounds the number of terms and the length of a term', () => {
    const many = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ')
    expect(ftsQuery(many)!.terms).toHaveLength(MAX_QUERY_TERMS)
    expect(ftsQuery('x'.repeat(1000))!.terms[0]).toHaveLength(64)
  })


  it.each(injections)('neutralises FTS5 syntax in %j', (text) => {
    const query = ftsQuery(text)
    if (!query) return
    // Only quoted words joined by OR: nothing the user typed is read as an operator.
    expect(query.match).toMatch(/^"[^"]+"(?: OR "[^"]+")*$/)
    for (const term of query.terms) expect(term).toMatch(/^[\p{L}\p{N}\p{Co}][\p{L}\p{N}\p{M}\p{Co}]*$/u)
  })
})

describe('ftsQuery against FTS5 itself', () => {
  beforeAll(async () => {
    await env.DB.exec(
      "CREATE VIRTUAL TABLE IF NOT EXISTS fts_query_probe USING fts5(text, heading, filename, tokenize='porter unicode61 remove_diacritics 2')",
    )
    await env.DB.prepare('DELETE FROM fts_query_probe').run()
    await env.DB.batch([
      env.DB.prepare('INSERT INTO fts_query_probe (rowid, text, heading, filename) VALUES (1, ?, ?, ?)').bind('Running dogs near the café', 'Dogs', 'dogs.txt'),
      env.DB.prepare('INSERT INTO fts_query_probe (rowid, text, heading, filename) VALUES (2, ?, ?, ?)').bind('NEAR AND OR NOT are words too', 'Syntax', 'secret.txt'),
      env.DB.prepare('INSERT INTO fts_query_probe (rowid, text, heading, filename) VALUES (3, ?, ?, ?)').bind('title secret', 'Other', 'title.txt'),
    ])
  })

  const match = async (text: string) => {
    const query = ftsQuery(text)
    if (!query) return []
    const { results } = await env.DB.prepare('SELECT rowid AS id FROM fts_query_probe WHERE fts_query_probe MATCH ? ORDER BY rowid').bind(query.match).all<{ id: number }>()
    return results.map((r) => r.id)
  }

  it('never makes FTS5 fail, whatever the text', async () => {
    for (const text of [...injections, 'NEAR', 'AND', 'OR NOT', '*', '"', 'heading:Dogs', 'a:b:c', '(((']) await match(text)
  })

  it('stems and folds through the index tokenizer', async () => {
    expect(await match('run')).toEqual([1])
    expect(await match('CAFE')).toEqual([1])
  })

  it('reads operators as words and a column prefix as two words', async () => {
    expect(await match('NEAR')).toEqual([1, 2])
    expect(await match('NOT')).toEqual([2])
    // `filename:secret` would be a column filter; here it searches both words, in every column.
    expect(await match('filename:secret')).toEqual([2, 3])
  })
})
