/**
 * @module Appends segments in document order and keeps their character offsets honest: the
 * document's extracted text is the segments joined by one blank line.
 */
import type { Provenance, Segment, TableBlock } from './segment'

export const SEGMENT_SEPARATOR = '\n\n'

export type SegmentBuilder = {
  /** Adds a text segment; blank text is skipped. */
  text(text: string, provenance: Provenance): void
  /** Adds a table segment; a table without rows is skipped. */
  table(table: TableBlock, provenance: Provenance): void
  /** Starts counting offsets from zero again (a new page or slide). */
  restartOffsets(): void
  readonly segments: Segment[]
}

export function segmentBuilder(): SegmentBuilder {
  const segments: Segment[] = []
  let offset = 0
  let atStart = true

  function push(text: string, provenance: Provenance, table?: TableBlock): void {
    if (!atStart) offset += SEGMENT_SEPARATOR.length
    const segment: Segment = { text, provenance, charStart: offset, charEnd: offset + text.length }
    if (table) segment.table = table
    segments.push(segment)
    offset += text.length
    atStart = false
  }

  return {
    segments,
    text(text, provenance) {
      const clean = text.trim()
      if (clean) push(clean, provenance)
    },
    table(table, provenance) {
      if (table.rows.length === 0) return
      push(tableText(table), { ...provenance, modality: 'table' }, table)
    },
    restartOffsets() {
      offset = 0
      atStart = true
    },
  }
}

export function tableText(table: TableBlock): string {
  return `${table.header}\n${table.rows.map((r) => r.text).join('\n')}`
}
