/**
 * @module Appends segments in document order and keeps their character offsets honest: the
 * document's extracted text is the segments joined by one blank line. Every segment, text and
 * provenance, is counted by the parse's output meter before it is kept.
 */
import { unmetered, type OutputMeter } from './output-meter'
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
  /** The meter every segment is counted by; parsers check text they are still gathering against it. */
  readonly meter: OutputMeter
}

export function segmentBuilder(meter: OutputMeter = unmetered()): SegmentBuilder {
  const segments: Segment[] = []
  let offset = 0
  let atStart = true

  function push(text: string, given: Provenance, table?: TableBlock): void {
    const provenance = boundedProvenance(given)
    meter.segment()
    meter.text(text.length + provenanceChars(provenance))
    if (!atStart) offset += SEGMENT_SEPARATOR.length
    const segment: Segment = { text, provenance, charStart: offset, charEnd: offset + text.length }
    if (table) segment.table = table
    segments.push(segment)
    offset += text.length
    atStart = false
  }

  return {
    segments,
    meter,
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

/** Longest heading (per level) and key path kept: every chunk of a segment repeats them, in the index and in citations. */
export const MAX_HEADING_CHARS = 300
export const MAX_KEY_PATH_CHARS = 1000

/** The provenance with overlong headings and key paths cut (a 1 MB "heading" would be written once per chunk). */
function boundedProvenance(p: Provenance): Provenance {
  const longHeading = p.heading?.some((h) => h.length > MAX_HEADING_CHARS)
  const longKeyPath = p.keyPath !== undefined && p.keyPath.length > MAX_KEY_PATH_CHARS
  if (!longHeading && !longKeyPath) return p
  const bounded = { ...p }
  if (longHeading) bounded.heading = p.heading!.map((h) => (h.length > MAX_HEADING_CHARS ? ownCopy(`${h.slice(0, MAX_HEADING_CHARS - 1)}…`) : h))
  if (longKeyPath) bounded.keyPath = cutKeyPath(p.keyPath!)
  return bounded
}

/** A key path cut to `MAX_KEY_PATH_CHARS`, keeping both ends: the end says where in the array or object the text is. */
export function cutKeyPath(path: string): string {
  if (path.length <= MAX_KEY_PATH_CHARS) return path
  return ownCopy(`${path.slice(0, MAX_KEY_PATH_CHARS / 2 - 1)}…${path.slice(-MAX_KEY_PATH_CHARS / 2)}`)
}

/**
 * A copy that shares no memory with the string it was cut from. V8 keeps a slice as a view of its
 * parent, so a 300-character heading cut from a 1 MB paragraph would keep the megabyte alive for as
 * long as the segment lives.
 */
function ownCopy(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string
}

/** Characters a segment's provenance adds: each chunk of the segment carries its heading and key path. */
function provenanceChars(p: Provenance): number {
  let n = (p.keyPath?.length ?? 0) + (p.sheet?.length ?? 0)
  for (const h of p.heading ?? []) n += h.length
  return n
}
