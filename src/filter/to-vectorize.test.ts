import { describe, expect, it } from 'vitest'
import type { FilterNode, Target } from './ast'
import { evaluateFilter } from './evaluate'
import type { FilterRecord } from './evaluate'
import { parseFilter } from './parser'
import { printFilter } from './printer'
import { Random, randomRecord, randomTree } from './testing/arbitrary'
import { compileToVectorize, vectorFilterMetadata, VECTORIZE_INDEXED_FIELDS } from './to-vectorize'
import { truncateUtf8, utf8Length, vectorizeFilterMatches } from './vectorize-semantics'
import type { VectorizeFilter } from './vectorize-semantics'

const plan = (text: string) => compileToVectorize(parseFilter(text, { chunkAttributes: true }))
const print = (node: FilterNode | null) => (node ? printFilter(node) : null)

/** The Vectorize metadata a record's chunk would carry. */
const vectorOf = (record: FilterRecord) =>
  vectorFilterMetadata({ file_id: record.id, purpose: record.purpose, created_at: record.created_at, modality: record.modality!, page: record.page ?? null })

describe('the Vectorize pushdown', () => {
  it('pushes exact terms and keeps the rest', () => {
    expect(plan('purpose = "assistants" and metadata.author = "x"')).toEqual({
      filter: { purpose: { $eq: 'assistants' } },
      residual: parseFilter('metadata.author = "x"'),
    })
    const { filter, residual } = plan('created_at >= "2024-01-01" and created_at < "2024-02-01" and modality in ["table", "image"] and id != "file-1"')
    expect(filter).toEqual({ created_at: { $gte: 1704067200, $lt: 1706745600 }, modality: { $in: ['table', 'image'] }, file_id: { $ne: 'file-1' } })
    expect(residual).toBeNull()
  })

  it('pushes not, and an or of equalities on one property, exactly', () => {
    expect(plan('not modality = "text"')).toEqual({ filter: { modality: { $ne: 'text' } }, residual: null })
    expect(plan('not (page = 2)')).toEqual({ filter: { page: { $ne: 2 } }, residual: null })
    expect(plan('not created_at < 5')).toEqual({ filter: { created_at: { $gte: 5 } }, residual: null })
    expect(plan('modality = "text" or modality in ["table", "text"]')).toEqual({ filter: { modality: { $in: ['text', 'table'] } }, residual: null })
    expect(plan('modality = "text" or page = 1').filter).toBeUndefined()
  })

  it('pushes a superset and keeps the term where a vector may lack the property', () => {
    expect(print(plan('page != 2').residual)).toBe('page != 2')
    expect(plan('page != 2').filter).toEqual({ page: { $ne: 2 } })
    expect(plan('page not in [1, 2]').filter).toEqual({ page: { $nin: [1, 2] } })
    expect(print(plan('page > 2').residual)).toBe('page > 2')
    expect(plan('not page < 2')).toEqual({ filter: undefined, residual: parseFilter('not page < 2', { chunkAttributes: true }) })
  })

  it('keeps what Vectorize cannot say', () => {
    for (const text of [
      'status = "processed"',
      'filename = "a.pdf"',
      'metadata.purpose = "x"',
      'modality like "t%"',
      'page is null',
      'modality = 1',
      'modality in [1, 2]',
      'modality not in ["text", 1]',
      'page not in []',
      `file_id = "${'x'.repeat(61)}"`,
      `id = "${'x'.repeat(61)}"`,
      'purpose < "é"',
      'page = 1 or modality = "text"',
      'not modality like "x"',
    ]) {
      const result = plan(text)
      expect(result.filter, text).toBeUndefined()
      expect(result.residual, text).toEqual(parseFilter(text, { chunkAttributes: true }))
    }
    expect(plan(`id = "${'é'.repeat(30)}"`).filter).toEqual({ file_id: { $eq: 'é'.repeat(30) } })
  })

  it('pushes one operator per property, or one bound each way, and keeps the others', () => {
    const { filter, residual } = plan('page = 1 and page = 2 and created_at > 1 and created_at >= 2 and created_at < 9')
    expect(filter).toEqual({ page: { $eq: 1 }, created_at: { $gt: 1, $lt: 9 } })
    expect(print(residual)).toBe('page = 2 and created_at >= 2')
  })

  it('keeps the filter under 2048 bytes by leaving the largest properties residual', () => {
    const ids = Array.from({ length: 120 }, (_, i) => `"file-${String(i).padStart(20, '0')}"`).join(', ')
    const { filter, residual } = plan(`id in [${ids}] and modality = "text"`)
    expect(filter).toEqual({ modality: { $eq: 'text' } })
    expect(print(residual)).toMatch(/^id in \[/)
  })

  it('gives a filter the Vectorize binding accepts as it is typed', () => {
    const filter: VectorizeVectorMetadataFilter | undefined = plan('page >= 2 and page < 5 and modality in ["text"] and purpose != "x"').filter
    expect(filter).toEqual({ page: { $gte: 2, $lt: 5 }, modality: { $in: ['text'] }, purpose: { $ne: 'x' } })
  })

  it('honours the indexes a deployment has', () => {
    expect(compileToVectorize(parseFilter('purpose = "a"'), { indexed: ['page'] }).filter).toBeUndefined()
  })

  it('names at most 10 indexed properties, the ones vectorFilterMetadata writes', () => {
    expect(VECTORIZE_INDEXED_FIELDS.length).toBeLessThanOrEqual(10)
    const written = Object.keys(vectorFilterMetadata({ file_id: 'f', purpose: 'p', created_at: 1, modality: 'text', page: 1 })).sort()
    expect(written).toEqual(VECTORIZE_INDEXED_FIELDS.map((f) => f.propertyName).sort())
    expect(vectorFilterMetadata({ file_id: 'f', purpose: 'p', created_at: 1, modality: 'text', page: null })).not.toHaveProperty('page')
  })

  it('with the residual selects exactly what the whole filter selects, over random trees and records', () => {
    const seed = 23
    const rng = new Random(seed)
    const indexedTargets: Target[] = [
      { kind: 'file', name: 'id' },
      { kind: 'file', name: 'purpose' },
      { kind: 'file', name: 'created_at' },
      { kind: 'chunk', name: 'modality' },
      { kind: 'chunk', name: 'page' },
      { kind: 'file', name: 'status' },
      { kind: 'metadata', path: ['a'] },
    ]
    const long = 'x'.repeat(59)
    const records = Array.from({ length: 200 }, (_, i) => {
      const { record } = randomRecord(rng, i)
      // Strings around Vectorize's 64-byte cut, so that truncation is exercised.
      if (rng.chance(0.2)) record.purpose = rng.pick([`${long}a`, `${long}ab`, `${long}aé`, `${long}aéé`, `${long}a😀z`, `${long}ab😀`])
      return record
    })
    const literals = ['a', 'logic', 'text', 'table', 'user_data', `${long}a`, `${long}ab`, `${long}aé`, 'file-3', 'file-30']
    let pushed = 0
    for (let i = 0; i < 3000; i++) {
      let tree = randomTree(rng, { targets: indexedTargets, maxDepth: 3 })
      if (rng.chance(0.5)) tree = withStrings(tree, () => rng.pick(literals))
      const { filter, residual } = compileToVectorize(tree)
      if (filter) {
        pushed++
        checkShape(filter)
      }
      for (const record of records) {
        const expected = evaluateFilter(tree, record)
        const byVectorize = filter ? vectorizeFilterMatches(filter, vectorOf(record)) : true
        const actual = byVectorize && (residual ? evaluateFilter(residual, record) : true)
        if (actual !== expected || (expected && !byVectorize)) {
          expect.fail(`seed ${seed}, tree ${i}: ${printFilter(tree)}\nfilter ${JSON.stringify(filter)}, residual ${print(residual)}\nrecord ${JSON.stringify(record)}`)
        }
      }
    }
    // A good share of the trees must push something, or the equivalence would be vacuous.
    expect(pushed).toBeGreaterThan(500)
  })
})

/** The tree with its string literals drawn from `pick`, to meet the values the records hold. */
function withStrings(node: FilterNode, pick: () => string): FilterNode {
  const swap = <T,>(value: T) => (typeof value === 'string' ? pick() : value)
  switch (node.kind) {
    case 'or':
    case 'and':
      return { kind: node.kind, operands: node.operands.map((operand) => withStrings(operand, pick)) }
    case 'not':
      return { kind: 'not', operand: withStrings(node.operand, pick) }
    case 'compare':
      return { ...node, value: swap(node.value) }
    case 'in':
      return { ...node, values: node.values.map(swap) }
    default:
      return node
  }
}

/** What Vectorize accepts: known operators, one set operator or a bound each way per property, under 2048 bytes. */
function checkShape(filter: VectorizeFilter) {
  expect(utf8Length(JSON.stringify(filter))).toBeLessThan(2048)
  for (const field of Object.values(filter)) {
    const ops = Object.keys(field)
    const ranges = ops.filter((op) => ['$lt', '$lte', '$gt', '$gte'].includes(op))
    if (ranges.length > 0) {
      expect(ops).toEqual(ranges)
      expect(ranges.filter((op) => op.startsWith('$l')).length).toBeLessThanOrEqual(1)
      expect(ranges.filter((op) => op.startsWith('$g')).length).toBeLessThanOrEqual(1)
    } else expect(ops.length === 1 && ['$eq', '$ne', '$in', '$nin'].includes(ops[0]!)).toBe(true)
  }
}

it('cuts indexed strings to whole characters within 64 bytes', () => {
  expect(truncateUtf8('a'.repeat(70), 64)).toHaveLength(64)
  expect(truncateUtf8(`${'a'.repeat(62)}é`, 64)).toBe(`${'a'.repeat(62)}é`)
  expect(truncateUtf8(`${'a'.repeat(63)}é`, 64)).toBe('a'.repeat(63))
  expect(truncateUtf8(`${'a'.repeat(61)}😀`, 64)).toBe('a'.repeat(61))
  expect(vectorizeFilterMatches({ p: { $eq: 'a'.repeat(61) } }, { p: `${'a'.repeat(61)}😀` })).toBe(true)
  expect(vectorizeFilterMatches({ p: { $ne: 'x' } }, {})).toBe(true)
  expect(vectorizeFilterMatches({ p: { $nin: ['x'] } }, {})).toBe(true)
  expect(vectorizeFilterMatches({ p: { $gt: 1 } }, {})).toBe(false)
})
