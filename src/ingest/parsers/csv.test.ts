import { describe, expect, it } from 'vitest'
import { LimitExceededError } from '../errors'
import { resolveLimits, startDeadline } from '../limits'
import { outputMeter } from '../output-meter'
import { chunkSegments } from '../chunker'
import { parseCsv } from './csv'

const parse = (csv: string, overrides = {}) =>
  parseCsv(new TextEncoder().encode(csv), { limits: resolveLimits(overrides), deadline: startDeadline(10_000), output: outputMeter(resolveLimits(overrides)) })

describe('parseCsv', () => {
  it.each([
    ['comma', ','],
    ['semicolon', ';'],
    ['tab', '\t'],
    ['pipe', '|'],
  ])('detects the %s delimiter and honours quotes', async (_, d) => {
    const csv = [`name${d}city${d}note`, `Ann${d}Oslo${d}"one${d} two"`, `Bob${d}Rome${d}plain`].join('\r\n')
    const { segments } = await parse(csv)
    expect(segments).toHaveLength(1)
    const table = segments[0]!.table!
    expect(table.header.split('\n')[0]).toBe('| name | city | note |')
    expect(table.rows.map((r) => r.text)).toEqual([`| Ann | Oslo | one${d === '|' ? '\\|' : d} two |`, '| Bob | Rome | plain |'])
  })

  it('numbers rows as a spreadsheet does (header = row 1), skipping blank lines but not their numbers', async () => {
    const { segments } = await parse('a,b\n1,2\n\n3,4\n')
    const segment = segments[0]!
    expect(segment.table!.rows.map((r) => r.row)).toEqual([2, 4])
    expect(segment.provenance).toEqual({ rows: [2, 4], modality: 'table' })
  })

  it('keeps quoted commas and newlines inside one cell', async () => {
    const { segments } = await parse('k,v\n"Lozano, Dr","line one\nline two"\n')
    expect(segments[0]!.table!.rows[0]!.text).toBe('| Lozano, Dr | line one line two |')
  })

  it('names columns that rows have beyond the header', async () => {
    const { segments } = await parse('a,b\n1,2,3\n')
    expect(segments[0]!.table!.header.split('\n')[0]).toBe('| a | b | Column 3 |')
  })

  it('takes a table as long as the row cap without hitting call-stack limits', async () => {
    const csv = ['id,value', ...Array.from({ length: 99_999 }, (_, i) => `${i},v${i}`)].join('\n')
    const { segments } = await parse(csv)
    expect(segments[0]!.table!.rows).toHaveLength(99_999)
    expect(segments[0]!.provenance.rows).toEqual([2, 100_000])
    const chunks = chunkSegments(segments, { fileId: 'f', maxTokens: 20 })
    expect(chunks.length).toBeGreaterThan(20_000)
    expect(chunks[chunks.length - 1]!.provenance.rows![1]).toBe(100_000)
  })

  it('refuses more rows than the cap', async () => {
    const csv = ['h', ...Array.from({ length: 50 }, (_, i) => String(i))].join('\n')
    await expect(parse(csv, { maxRowsPerSheet: 20 })).rejects.toBeInstanceOf(LimitExceededError)
    await expect(parse(csv, { maxRowsPerSheet: 20 })).rejects.toThrow('more than 20 rows')
  })
})
