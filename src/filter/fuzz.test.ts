import { describe, expect, it } from 'vitest'
import type { FilterNode } from './ast'
import { FilterLimitError, FilterSyntaxError } from './errors'
import { evaluateFilter } from './evaluate'
import { parseFilter } from './parser'
import { printFilter } from './printer'
import { Random, randomRecord, randomTree, withOtherValues } from './testing/arbitrary'
import { compileToSql, tableColumns } from './to-sql'
import type { SqlColumns } from './to-sql'
import { compileToVectorize } from './to-vectorize'

const columns: SqlColumns = tableColumns('f', 'c')
const MESSAGE = /^filter: expected [^]+, found [^]+ at column (\d+)$/
const records = (() => {
  const rng = new Random(5)
  return Array.from({ length: 20 }, (_, i) => randomRecord(rng, i).record)
})()

/**
 * What every input must come to: a `FilterSyntaxError` pointing inside the text, or a tree that prints,
 * reparses to itself, compiles to SQL whose shape ignores its values, splits for Vectorize and evaluates.
 */
function check(text: string, context: string): FilterNode | undefined {
  const options = { chunkAttributes: text.length % 2 === 0 }
  let tree: FilterNode
  try {
    tree = parseFilter(text, options)
  } catch (err) {
    if (!(err instanceof FilterSyntaxError)) return expect.fail(`${context}: ${JSON.stringify(text)} threw ${String(err)}`)
    const column = Number(MESSAGE.exec(err.message)?.[1])
    expect(column, `${context}: ${err.message}`).toBe(err.column)
    expect(err.column).toBeGreaterThanOrEqual(1)
    expect(err.column).toBeLessThanOrEqual(Array.from(text).length + 1)
    expect(err.position).toBeLessThanOrEqual(text.length)
    return undefined
  }
  const printed = printFilter(tree)
  expect(parseFilter(printed, options), `${context}: ${JSON.stringify(text)}`).toEqual(tree)
  expect(compileToSql(withOtherValues(tree), columns).sql).toBe(compileToSql(tree, columns).sql)
  compileToVectorize(tree)
  for (const record of records) evaluateFilter(tree, record)
  return tree
}

const SOUP = [
  'a', 'b', 'metadata', 'status', 'page', 'modality', 'created_at', 'tags', 'x_1', 'AND', 'and', 'Or', 'or', 'not', 'NOT', 'in', 'like',
  'is', 'null', 'NULL', 'true', 'false', '=', '==', '!=', '<>', '<', '<=', '>', '>=', '(', ')', '[', ']', ',', '.', '"x"', "'y'",
  '"2024-01-01"', '"%a_"', '"\\\\"', '"\\""', '0', '1', '-2.5', '1e3', '2147483648', '"', "'", '\\', '#', '$', '@', '-', '!', '😀', 'é',
  '\u0000', '\ud800', ';', '--', '/*', '\n', '\t', ' ',
]

describe('fuzzing the filter language', () => {
  it('survives random token soup', () => {
    const seed = 101
    const rng = new Random(seed)
    let parsed = 0
    for (let i = 0; i < 20_000; i++) {
      const parts = Array.from({ length: rng.int(1, 14) }, () => rng.pick(SOUP))
      const text = parts.join(rng.chance(0.7) ? ' ' : '')
      if (check(text, `seed ${seed}, soup ${i}`)) parsed++
    }
    expect(parsed).toBeGreaterThan(0)
    // 20,000 fixed inputs: on a busy 2-core machine this takes longer than vitest's default 5 s.
  }, 60_000)

  it('survives valid expressions with tokens dropped, doubled or replaced', () => {
    const seed = 151
    const rng = new Random(seed)
    let parsed = 0
    for (let i = 0; i < 10_000; i++) {
      const words = printFilter(randomTree(rng, { chunkAttributes: true, maxDepth: 3 })).split(' ')
      for (let n = rng.int(1, 3); n > 0; n--) {
        const at = rng.int(0, words.length - 1)
        const r = rng.next()
        if (r < 0.3) words.splice(at, 1)
        else if (r < 0.5) words.splice(at, 0, words[at] ?? '')
        else if (r < 0.8) words[at] = rng.pick(SOUP)
        else words.splice(at, 0, rng.pick(SOUP))
      }
      if (check(words.join(rng.chance(0.8) ? ' ' : ''), `seed ${seed}, mutant ${i}`)) parsed++
    }
    expect(parsed).toBeGreaterThan(300)
  })

  it('survives random code units and random bytes', () => {
    const seed = 202
    const rng = new Random(seed)
    const decoder = new TextDecoder()
    for (let i = 0; i < 5_000; i++) {
      const units = Array.from({ length: rng.int(0, 40) }, () => (rng.chance(0.7) ? rng.int(0x20, 0x7e) : rng.int(0, 0xffff)))
      check(String.fromCharCode(...units), `seed ${seed}, units ${i}`)
      const bytes = Uint8Array.from({ length: rng.int(0, 40) }, () => rng.int(0, 255))
      check(decoder.decode(bytes), `seed ${seed}, bytes ${i}`)
    }
  })

  it('survives quote and backslash storms', () => {
    const seed = 303
    const rng = new Random(seed)
    let parsed = 0
    for (let i = 0; i < 10_000; i++) {
      const storm = Array.from({ length: rng.int(0, 16) }, () => rng.pick(['"', "'", '\\', 'a', ' ', '%', '_'])).join('')
      const text = rng.pick([`a = ${storm}`, `a like ${storm}`, `a in [${storm}]`, storm, `"${storm}"`, `a = "${storm}"`, `a like '${storm}'`])
      if (check(text, `seed ${seed}, storm ${i}`)) parsed++
    }
    expect(parsed).toBeGreaterThan(500)
  })

  it('refuses what is too deep or too long, without overflowing the stack', () => {
    const refused = (text: string) => {
      expect(check(text, 'limits')).toBeUndefined()
      expect(() => parseFilter(text)).toThrow(FilterLimitError)
    }
    refused(`${'('.repeat(10_000)}a = 1${')'.repeat(10_000)}`)
    refused(`${'not ('.repeat(2_000)}a = 1${')'.repeat(2_000)}`)
    refused(`${'('.repeat(16_000)}`)
    refused(`a in [${Array.from({ length: 100_000 }, (_, i) => i).join(',')}]`)
    refused(`a in [${'1,'.repeat(5_000)}1]`)
    refused(Array.from({ length: 3_000 }, () => 'a=1').join(' or '))
    expect(check(`a${'.b'.repeat(5_000)} = 1`, 'long path')).toBeDefined()
    expect(check(`a in [${'[1],'.repeat(100)}]`, 'nested lists')).toBeUndefined()
  })

  it('keeps injection attempts out of the SQL', () => {
    const refused = [
      `metadata."a') OR 1=1 --" = 1`,
      `metadata.a" = 1`,
      `"a\\"b" = 1`,
      `a = 1; DROP TABLE files`,
      `a = 1 -- comment`,
      `a = 1 /* c */`,
      `a[0x1] = 1`,
      `a[1e2] = 1`,
      `a['b'] = 1`,
      `a.$x = 1`,
      `a = $.x`,
      `a.b-c = 1`,
    ]
    for (const text of refused) expect(check(text, 'injection'), text).toBeUndefined()
    const accepted = [
      `a = "') OR 1=1 --"`,
      `a = '" OR ""="'`,
      `a like '%$.x%'`,
      `a = '$."a"'`,
      `a in ["a\\"b", "$[0]", "'); DROP TABLE files; --"]`,
      `a not like '\\\\%\\'--'`,
      `metadata.x_1[0].y = '\\\\'`,
    ]
    // check() has compared each one's SQL with the SQL of the same tree holding other values.
    for (const text of accepted) {
      const tree = check(text, 'injection')
      expect(tree, text).toBeDefined()
      const { sql, params } = compileToSql(tree!, columns)
      expect(sql).not.toMatch(/DROP|OR 1=1|\$\.x|"'/)
      expect(params).toHaveLength(1)
    }
  })
})
