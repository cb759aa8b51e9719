import { describe, expect, it } from 'vitest'
import { chunkSegments } from './chunker'
import { tableBlock } from './markdown-table'
import type { Segment } from './segment'
import { segmentBuilder } from './segment-builder'
import { estimateTokens } from './token-estimate'

const sentence = (i: number) => `Sentence number ${i} talks about ducks, lakes and the summer weather in some detail.`
const paragraph = (from: number, n: number) => Array.from({ length: n }, (_, k) => sentence(from + k)).join(' ')

function pages(...texts: string[]): Segment[] {
  const out = segmentBuilder()
  texts.forEach((text, i) => {
    out.restartOffsets()
    out.text(text, { page: i + 1, modality: 'text' })
  })
  return out.segments
}

describe('chunkSegments', () => {
  it('keeps chunks within the token budget and never across a page', () => {
    const segments = pages(paragraph(0, 40), paragraph(100, 3), paragraph(200, 40))
    const chunks = chunkSegments(segments, { fileId: 'file-1', maxTokens: 120, overlapTokens: 20 })
    for (const chunk of chunks) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(120)
      const page = chunk.provenance.page!
      expect(segments[page - 1]!.text).toContain(chunk.text)
    }
    expect(new Set(chunks.map((c) => c.provenance.page))).toEqual(new Set([1, 2, 3]))
    expect(chunks.filter((c) => c.provenance.page === 2)).toHaveLength(1)
  })

  it('derives ids from the file id and position, the same on every run', () => {
    const segments = pages(paragraph(0, 30), paragraph(50, 2))
    const a = chunkSegments(segments, { fileId: 'file-1', maxTokens: 100 })
    const b = chunkSegments(structuredClone(segments), { fileId: 'file-1', maxTokens: 100 })
    expect(a.map((c) => c.id)).toEqual(b.map((c) => c.id))
    expect(a[0]!.id).toBe('file-1:p1:0')
    expect(a.find((c) => c.provenance.page === 2)!.id).toBe('file-1:p2:0')
    expect(new Set(a.map((c) => c.id)).size).toBe(a.length)
  })

  it('gives a page the same ids whether it is chunked alone or within a range', () => {
    const all = pages(paragraph(0, 20), paragraph(40, 20))
    const alone = chunkSegments([all[1]!], { fileId: 'f' })
    const together = chunkSegments(all, { fileId: 'f' }).filter((c) => c.provenance.page === 2)
    expect(alone.map((c) => [c.id, c.text])).toEqual(together.map((c) => [c.id, c.text]))
  })

  it('overlaps consecutive chunks by a word-aligned tail of the previous one', () => {
    const chunks = chunkSegments(pages(paragraph(0, 30)), { fileId: 'f', maxTokens: 100, overlapTokens: 25 })
    expect(chunks.length).toBeGreaterThan(2)
    for (let i = 1; i < chunks.length; i++) {
      const [prev, next] = [chunks[i - 1]!, chunks[i]!]
      expect(next.charStart).toBeLessThan(prev.charEnd)
      const shared = prev.text.slice(prev.text.length - (prev.charEnd - next.charStart))
      expect(next.text.startsWith(shared)).toBe(true)
      expect(estimateTokens(shared)).toBeLessThanOrEqual(25)
      expect(shared).toMatch(/^\S/)
    }
  })

  it('maps chunk offsets back onto the extracted text', () => {
    const out = segmentBuilder()
    out.text(paragraph(0, 12), { heading: ['A'], modality: 'text' })
    out.text(paragraph(20, 12), { heading: ['A'], modality: 'text' })
    out.text(paragraph(40, 12), { heading: ['B'], modality: 'text' })
    const doc = out.segments.map((s) => s.text).join('\n\n')
    const chunks = chunkSegments(out.segments, { fileId: 'f', maxTokens: 90, overlapTokens: 10 })
    for (const chunk of chunks) expect(doc.slice(chunk.charStart, chunk.charEnd)).toBe(chunk.text)
  })

  it('packs consecutive segments of one section together but not across sections', () => {
    const out = segmentBuilder()
    out.text('First paragraph under A.', { heading: ['A'], modality: 'text' })
    out.text('Second paragraph under A.', { heading: ['A'], modality: 'text' })
    out.text('Only paragraph under B.', { heading: ['B'], modality: 'text' })
    const chunks = chunkSegments(out.segments, { fileId: 'f' })
    expect(chunks.map((c) => [c.provenance.heading, c.text])).toEqual([
      [['A'], 'First paragraph under A.\n\nSecond paragraph under A.'],
      [['B'], 'Only paragraph under B.'],
    ])
    expect(chunks.map((c) => c.id)).toEqual(['f:d:0', 'f:d:1'])
  })

  it('repeats the table header in every chunk and cites its rows', () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ cells: [`Customer ${i}`, `City ${i}`, `${1000 + i}`], row: i + 2 }))
    const out = segmentBuilder()
    out.table(tableBlock(['Name', 'City', 'Amount'], rows), { rows: [2, 61], modality: 'table' })
    const chunks = chunkSegments(out.segments, { fileId: 'f', maxTokens: 80 })
    expect(chunks.length).toBeGreaterThan(3)
    let expectedRow = 2
    for (const chunk of chunks) {
      expect(chunk.text.startsWith('| Name | City | Amount |\n| --- | --- | --- |\n')).toBe(true)
      const [from, to] = chunk.provenance.rows!
      expect(from).toBe(expectedRow)
      expect(chunk.text).toContain(`| Customer ${from - 2} |`)
      expect(chunk.text).toContain(`| Customer ${to - 2} |`)
      expect(chunk.tokenCount).toBeLessThanOrEqual(80)
      expectedRow = to + 1
    }
    expect(expectedRow).toBe(62)
  })

  it('splits a single overlong row under the header instead of dropping it', () => {
    const out = segmentBuilder()
    out.table(tableBlock(['note'], [{ cells: [paragraph(0, 10)], row: 2 }]), { modality: 'table' })
    const chunks = chunkSegments(out.segments, { fileId: 'f', maxTokens: 60 })
    expect(chunks.length).toBeGreaterThan(1)
    for (const chunk of chunks) {
      expect(chunk.text.startsWith('| note |')).toBe(true)
      expect(chunk.provenance.rows).toEqual([2, 2])
    }
  })

  it('splits a word longer than the budget by characters', () => {
    const blob = 'x'.repeat(5_000)
    const chunks = chunkSegments(pages(blob), { fileId: 'f', maxTokens: 100, overlapTokens: 0 })
    expect(chunks.map((c) => c.text).join('')).toBe(blob)
    for (const chunk of chunks) expect(chunk.tokenCount).toBeLessThanOrEqual(100)
  })

  it('uses sensible defaults and skips blank segments', () => {
    const chunks = chunkSegments(pages(paragraph(0, 60), '   '), { fileId: 'f' })
    expect(chunks.every((c) => c.tokenCount <= 400)).toBe(true)
    expect(chunks.every((c) => c.provenance.page === 1)).toBe(true)
    expect(chunkSegments([], { fileId: 'f' })).toEqual([])
  })
})
