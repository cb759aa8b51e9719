/**
 * @module Differential test of the filter's SQL compiler against its reference evaluator, in real
 * local D1: for thousands of random trees, the rows the SQL selects are the rows the evaluator selects.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import type { FilterNode } from '../../src/filter/ast'
import { evaluateFilter } from '../../src/filter/evaluate'
import type { FilterRecord } from '../../src/filter/evaluate'
import { parseFilter } from '../../src/filter/parser'
import { printFilter } from '../../src/filter/printer'
import { Random, randomRecord, randomTree } from '../../src/filter/testing/arbitrary'
import { compileToSql } from '../../src/filter/to-sql'

const SEED = 20240131
const ROWS = 300
const TREES = 3000
const BATCH = 100

const TABLE = 'filter_differential'
const COLUMNS = {
  id: 'f.id',
  filename: 'f.filename',
  bytes: 'f.bytes',
  created_at: 'f.created_at',
  purpose: 'f.purpose',
  status: 'f.status',
  user_id: 'f.user_id',
  metadata: 'f.metadata',
  page: 'f.page',
  modality: 'f.modality',
}

/** Values longer than SQLite's 50-byte LIKE pattern limit, for the like patterns cut from them. */
const LONG_VALUES = [
  'The Phenomenology of Spirit, 100% by Hegel_G.W.F. (back\\slash) and the Science of Logic, 1812-1816',
  'Ärger über Éclairs: éé ÄÖÜ ß 😀 and 😀😀 at the end of a long line of text, Ünd mehr',
  `${'ab'.repeat(40)}c${'ab'.repeat(10)}`,
  `${'a_%\\'.repeat(20)}tail`,
  `prefix ${'x'.repeat(60)} middle ${'y'.repeat(60)} suffix`,
  'é'.repeat(30),
]

/** Rows that make the edge cases certain to be present, whatever the seed draws. */
const HAND_PICKED: { metadata: unknown; page?: number | null; filename?: string }[] = [
  { metadata: {} },
  { metadata: { tags: [] } },
  { metadata: { tags: ['logic', 1, true, null, ['logic'], { a: 'logic' }] } },
  { metadata: { a: null, b: { a: 1 }, c: [null] } },
  { metadata: { a: '100%', b: '100\\%', c: 'a_b' } },
  { metadata: { a: "a') OR 1=1 --", b: '$."a"', author: 'a"b' } },
  { metadata: { a: true, b: 1, c: '1', n: 1.5, tags: [true, false] } },
  { metadata: { a: 'ÄB', b: 'äb', c: '😀', author: 'É' } },
  { metadata: { o: { a: { b: [1, [2], { c: 3 }] } }, tags: [[1, 2], [3]] } },
  { metadata: { metadata: { a: 1 }, status: 'processed', id: 'x' } },
  { metadata: [1, 2, 3] },
  ...LONG_VALUES.map((value, i) => ({ metadata: { a: value, tags: ['x', value.toUpperCase(), LONG_VALUES[(i + 1) % LONG_VALUES.length]!] }, filename: value })),
]

const records: FilterRecord[] = []

beforeAll(async () => {
  const rng = new Random(SEED)
  await env.DB.exec(`DROP TABLE IF EXISTS ${TABLE}`)
  await env.DB.exec(
    `CREATE TABLE ${TABLE} (id TEXT PRIMARY KEY, filename TEXT NOT NULL, bytes INTEGER NOT NULL, created_at INTEGER NOT NULL, purpose TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT, metadata TEXT NOT NULL, page INTEGER, modality TEXT)`,
  )
  const inserts: D1PreparedStatement[] = []
  for (let i = 0; i < ROWS + HAND_PICKED.length; i++) {
    const { record, metadataText: randomText } = randomRecord(rng, i)
    const picked = HAND_PICKED[i - ROWS]
    const metadataText = picked ? JSON.stringify(picked.metadata) : randomText
    const row = picked ? { ...record, metadata: picked.metadata, filename: picked.filename ?? record.filename } : record
    records.push(row)
    inserts.push(
      env.DB.prepare(`INSERT INTO ${TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).bind(
        row.id, row.filename, row.bytes, row.created_at, row.purpose, row.status, row.user_id, metadataText, row.page ?? null, row.modality ?? null,
      ),
    )
  }
  await env.DB.batch(inserts)
})

/** Trees whose rows are neither none nor all: the ones that tell SQL and evaluator apart. */
let discriminating = 0

async function compare(trees: readonly FilterNode[], seed: number, { inSubquery = false } = {}) {
  const statements = trees.map((tree) => {
    const { sql, params } = compileToSql(tree, COLUMNS)
    // A caller's own conditions around the filter use some of SQLite's expression depth too.
    const where = `f.id IS NOT NULL AND (f.bytes >= 0 OR f.bytes < 0) AND ${sql}`
    const query = inSubquery
      ? `SELECT g.id FROM ${TABLE} g WHERE g.id IN (SELECT f.id FROM ${TABLE} f WHERE ${where})`
      : `SELECT f.id FROM ${TABLE} f WHERE ${where}`
    return env.DB.prepare(query).bind(...params)
  })
  const results = await env.DB.batch<{ id: string }>(statements)
  trees.forEach((tree, i) => {
    const fromSql = results[i]!.results.map((row) => row.id).sort()
    const expected = records.filter((record) => evaluateFilter(tree, record)).map((record) => record.id).sort()
    if (expected.length > 0 && expected.length < records.length) discriminating++
    if (fromSql.join() !== expected.join()) {
      const onlySql = fromSql.filter((id) => !expected.includes(id))
      const onlyEvaluator = expected.filter((id) => !fromSql.includes(id))
      const sample = records.find((r) => r.id === (onlySql[0] ?? onlyEvaluator[0]))
      expect.fail(
        `seed ${seed}: SQL and evaluator disagree on\n  ${printFilter(tree)}\n` +
          `only SQL (${onlySql.length}): ${onlySql.slice(0, 10).join(', ')}; only evaluator (${onlyEvaluator.length}): ${onlyEvaluator.slice(0, 10).join(', ')}\n` +
          `first such record: ${JSON.stringify(sample)}`,
      )
    }
  })
}

describe('the SQL compiler selects what the evaluator selects', () => {
  it(`on ${TREES} random trees (seed ${SEED})`, async () => {
    const rng = new Random(SEED)
    for (let done = 0; done < TREES; done += BATCH) {
      const trees = Array.from({ length: BATCH }, () => randomTree(rng, { chunkAttributes: true }))
      await compare(trees, SEED)
    }
    // Many random trees must select some rows and not others, or agreeing would prove little.
    expect(discriminating).toBeGreaterThan(TREES / 3)
  }, 60_000)

  it('on the examples and the edge cases of filter.md', async () => {
    const texts = [
      'tags = "logic"', 'tags != "logic"', 'tags not in ["logic", 1]', 'tags not like "%o%"', 'tags < 2', 'tags in []',
      'tags not in []', 'tags is null', 'tags is not null', 'a = true', 'a = 1', 'b = true', 'c = 1', 'c = "1"', 'a != 1',
      'not author = "x"', 'a like "100\\\\%"', 'b like "100\\\\\\\\%"', 'c like "a\\\\_b"', 'c like "A_B"', 'a like "äb"',
      'b like "ÄB"', 'a like "äb%"', 'author like "é"', 'author = "É"', 'b is null', 'b is not null', 'b = 1', 'b.a = 1',
      'c[0] is null', 'c is null', 'o.a.b[1][0] = 2', 'o.a.b[1] = 2', 'o.a.b[2].c = 3', 'tags[0] = 1', 'tags[0][1] = 2',
      'metadata.metadata.a = 1', 'metadata.status = "processed"', 'status = "processed"', 'metadata.id = "x"', 'id = "x"',
      'a = "a\') OR 1=1 --"', 'b = \'$."a"\'', 'author = \'a"b\'', 'a in [null]', 'a not in [null]', 'a in ["x", null]',
      'a = null', 'a != null', 'n > 1', 'n >= 1.5', 'n < 1.5e0', 'created_at > "2024-01-01"', 'created_at >= "2024-01-01T00:00:00Z"',
      'page = 1', 'page != 1', 'page is null', 'modality like "TEXT"', 'user_id is null', 'user_id != "a"', 'metadata[0] = 1',
      'tags[2147483647] is null', 'a < true', 'a > false', 'not (a < true)',
    ]
    await compare(texts.map((text) => parseFilter(text, { chunkAttributes: true })), SEED)
  })

  it('on the largest filters the language allows: 256 conditions, a 1,000-item list, one parameter', async () => {
    const big = Array.from({ length: 998 }, (_, i) => (i % 3 === 0 ? `"${i}"` : String(i - 500))).join(',')
    const conditions = [`n in [${big}, "logic", 1.5]`, ...Array.from({ length: 255 }, (_, i) => `metadata.o.k${i} not in ["a", ${i}]`)]
    const anyOf = parseFilter(conditions.join(' or '), { chunkAttributes: true })
    const allOf = parseFilter(conditions.join(' and '), { chunkAttributes: true })
    expect(compileToSql(anyOf, COLUMNS).params).toHaveLength(1)
    await compare([anyOf, allOf], SEED)
  })

  it('on the deepest filters the language allows, inside SQLite\'s limit of 100 levels of expression', async () => {
    // `not in` and `not like` compile to the deepest conditions.
    const leaf = (i: number) => (i % 2 ? `metadata.o.k${i % 7} not in ["a", ${i % 5}]` : `metadata.o.k${i % 7} not like "%${i % 5}"`)
    const innermost = (n: number) => `(${Array.from({ length: n }, (_, i) => `not ${leaf(i)}`).join(' or ')})`
    let ors = innermost(190)
    for (let level = 0; level < 62; level++) ors = `(${leaf(level)} or ${ors})`
    let alternating = innermost(190)
    for (let level = 0; level < 62; level++) alternating = `(${leaf(level)} ${level % 2 ? 'or' : 'and'} ${alternating})`
    let nots = innermost(200)
    for (let level = 0; level < 31; level++) nots = `not (${leaf(level)} and ${nots})`
    const trees = [ors, alternating, nots, `${'not '.repeat(64)}${leaf(1)}`].map((text) => parseFilter(text))
    await compare(trees, SEED)
    await compare(trees, SEED, { inSubquery: true })
  })

  it('on like patterns longer than SQLite\'s 50-byte limit: literals, _, %, escapes, ASCII case and non-ASCII', async () => {
    const rng = new Random(SEED + 1)
    const trees: FilterNode[] = []
    for (let i = 0; i < 600; i++) {
      const condition = () => `${rng.pick(['metadata.a', 'metadata.tags', 'filename', 'metadata.b'])} ${rng.chance(0.3) ? 'not like' : 'like'} ${quoted(longPatternFrom(rng, rng.pick(LONG_VALUES)))}`
      const other = () => rng.pick(['a like "%b%"', 'tags = "x"', 'not a is null', condition()])
      const text = rng.chance(0.4) ? `(${condition()}) ${rng.pick(['and', 'or'])} not (${other()})` : condition()
      trees.push(parseFilter(text, { chunkAttributes: true }))
    }
    let matched = 0
    for (let done = 0; done < trees.length; done += BATCH) await compare(trees.slice(done, done + BATCH), SEED + 1)
    await compare(trees.slice(0, BATCH), SEED + 1, { inSubquery: true })
    for (const tree of trees) if (records.some((record) => evaluateFilter(tree, record))) matched++
    // Patterns cut from the values must often match, or agreeing would prove little.
    expect(matched).toBeGreaterThan(trees.length / 3)
  }, 60_000)
})

const quoted = (text: string) => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`

/**
 * A like pattern cut from a value: characters kept (escaped where they are wildcards), some turned into
 * `_`, runs turned into `%`, ASCII letters in either case, and now and then a change that breaks the match.
 */
function longPatternFrom(rng: Random, value: string): string {
  const chars = Array.from(value)
  let out = rng.chance(0.3) ? '%' : ''
  for (let i = rng.chance(0.3) ? rng.int(0, 10) : 0; i < chars.length; i++) {
    const c = chars[i]!
    const r = rng.next()
    if (r < 0.08) out += '_'
    else if (r < 0.11) {
      out += '%'
      i += rng.int(0, 6)
    } else if (r < 0.115) out += rng.pick(['q', 'É', 'é', '\\\\'])
    else out += c === '%' || c === '_' || c === '\\' ? `\\${c}` : rng.chance(0.2) ? (rng.chance(0.5) ? c.toUpperCase() : c.toLowerCase()) : c
    if (i > 20 && rng.chance(0.01)) {
      out += '%'
      i = chars.length - rng.int(0, 25)
    }
  }
  return rng.chance(0.3) ? `${out}%` : out
}
