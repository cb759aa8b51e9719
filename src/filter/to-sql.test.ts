import { describe, expect, it } from 'vitest'
import { parseFilter } from './parser'
import { printFilter } from './printer'
import { Random, randomTree, withOtherValues } from './testing/arbitrary'
import { compileToSql, tableColumns } from './to-sql'
import type { SqlColumns } from './to-sql'

const columns: SqlColumns = tableColumns('f', 'c')

const compile = (text: string) => compileToSql(parseFilter(text, { chunkAttributes: true }), columns)

describe('the SQL compiler', () => {
  it('binds one JSON parameter holding every path and value', () => {
    const { sql, params } = compile('metadata.tags[0] = "a\'b" and status in ["x", 2] and page > 1')
    expect(sql.match(/\?/g)).toHaveLength(1)
    expect(params).toHaveLength(1)
    expect(JSON.parse(params[0]!)).toEqual([
      ['$."tags"[0]', { text: "a'b" }, { array: 1, integer: 1, real: 1, text: 1, true: 1, false: 1 }],
      [0, { text: ['x'], integer: [2], real: [2] }, { array: 1, integer: 1, real: 1, text: 1, true: 1, false: 1 }],
      [0, { integer: 1, real: 1 }, { array: 1, integer: 1, real: 1, text: 1, true: 1, false: 1 }],
    ])
    expect(sql).toContain('typeof(f.status)')
    expect(sql).toContain('json_array(c.page)')
    expect(sql).not.toContain("a'b")
  })

  it('records which types a negative form can hold for', () => {
    const eligible = (text: string) => Object.keys((JSON.parse(compile(text).params[0]!) as unknown[][])[0]![2] as object)
    expect(eligible('a != "x"')).toEqual(['array', 'text'])
    expect(eligible('a != 1')).toEqual(['array', 'integer', 'real'])
    expect(eligible('a not like "x"')).toEqual(['array', 'text'])
    expect(eligible('a not in [true]')).toEqual(['array', 'true', 'false'])
    expect(eligible('a not in ["x", 1]')).toEqual(['array'])
    expect(eligible('a not in []')).toEqual(['array', 'integer', 'real', 'text', 'true', 'false'])
  })

  it('gives an ordering against a boolean no type to meet', () => {
    expect((JSON.parse(compile('a < true').params[0]!) as unknown[][])[0]![1]).toEqual({})
  })

  it('produces SQL whose shape does not depend on paths or values', () => {
    const seed = 11
    const rng = new Random(seed)
    for (let i = 0; i < 2000; i++) {
      const tree = randomTree(rng, { chunkAttributes: true })
      const other = withOtherValues(tree)
      expect(compileToSql(other, columns).sql, `seed ${seed}, tree ${i}: ${printFilter(tree)}`).toBe(compileToSql(tree, columns).sql)
    }
  })

  it('keeps 256 conditions of the largest kind well inside D1 100 KB statement limit', () => {
    const longPattern = `%${'😀'.repeat(6)}%_${'😀'.repeat(7)}`
    for (const condition of [(i: number) => `not metadata.key_${i}.sub not in ["a", 1]`, (i: number) => `not metadata.key_${i}.sub not like "${i % 2 ? 'a%' : longPattern}"`]) {
      const text = Array.from({ length: 256 }, (_, i) => condition(i)).join(' or ')
      const { sql, params } = compile(text)
      expect(new TextEncoder().encode(sql).length).toBeLessThan(76 * 1024)
      expect(params).toHaveLength(1)
    }
  })

  it('refuses chunk attributes without their columns, and column expressions that use its aliases', () => {
    const { page: _page, modality: _modality, ...fileColumns } = columns
    expect(() => compileToSql(parseFilter('page = 1', { chunkAttributes: true }), fileColumns)).toThrow(/no column given for the chunk attribute page/)
    expect(() => compileToSql(parseFilter('a = 1'), { ...columns, metadata: '_fa.metadata' })).toThrow(/uses one of _fp, _fa, _fe, _fr/)
  })
})
