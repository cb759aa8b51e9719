/**
 * @module Packs segments into chunks: token-bounded, overlapping within a provenance boundary
 * (page, slide, sheet, heading section, key path) and never across one; table chunks repeat the
 * header; ids derive from the file id and the chunk's position, so re-chunking overwrites.
 */
import type { Chunk, Provenance, Segment } from './segment'
import { SEGMENT_SEPARATOR } from './segment-builder'
import { atomize, packSpans, weightOf, type Span } from './text-splitter'
import { estimateTokens } from './token-estimate'

export type ChunkOptions = {
  fileId: string
  /** Upper bound per chunk, in estimated tokens (see token-estimate). */
  maxTokens?: number
  /** Tokens repeated from the end of one chunk at the start of the next, within a boundary. */
  overlapTokens?: number
}

/** ~400 tokens fits 512-token embedding models (bge, e5) with room for the heuristic's error. */
export const DEFAULT_CHUNK_TOKENS = 400
export const DEFAULT_OVERLAP_TOKENS = 50

type Piece = { text: string; provenance: Provenance; charStart: number; charEnd: number }

/**
 * @example chunkSegments(segments, { fileId: 'file-abc' }) // [{ id: 'file-abc:p1:0', … }, …]
 */
export function chunkSegments(segments: readonly Segment[], options: ChunkOptions): Chunk[] {
  const max = Math.max(16, options.maxTokens ?? DEFAULT_CHUNK_TOKENS)
  const overlap = Math.max(0, Math.min(options.overlapTokens ?? DEFAULT_OVERLAP_TOKENS, Math.floor(max / 2)))
  const pieces: Piece[] = []
  for (const group of groupByBoundary(segments)) {
    const [only] = group
    // A loop, not push(...): a 100,000-row table makes more pieces than a call can take arguments.
    // A header heavier than a whole chunk is not repeated (a 1 MB header in every chunk would be gigabytes): the table is chunked as text.
    const repeatsHeader = group.length === 1 && only?.table && weightOf(only.table.header) <= max
    for (const piece of repeatsHeader ? tableChunks(only, max) : textChunks(group, max, overlap)) pieces.push(piece)
  }
  const counters = new Map<string, number>()
  return pieces.map((piece) => {
    const part = piece.provenance.page !== undefined ? `p${piece.provenance.page}` : 'd'
    const index = counters.get(part) ?? 0
    counters.set(part, index + 1)
    return {
      id: `${options.fileId}:${part}:${index}`,
      fileId: options.fileId,
      index,
      text: piece.text,
      provenance: piece.provenance,
      charStart: piece.charStart,
      charEnd: piece.charEnd,
      tokenCount: estimateTokens(piece.text),
    }
  })
}

/** What may not be crossed: two segments share a chunk only if all of this is equal. */
function boundaryKey(p: Provenance): string {
  return JSON.stringify([p.page, p.sheet, p.heading, p.keyPath, p.modality, p.startTime, p.endTime])
}

function groupByBoundary(segments: readonly Segment[]): Segment[][] {
  const groups: Segment[][] = []
  let key: string | undefined
  for (const segment of segments) {
    if (!segment.text.trim()) continue
    const next = boundaryKey(segment.provenance)
    const current = groups[groups.length - 1]
    if (current && !segment.table && !current[0]!.table && next === key) current.push(segment)
    else groups.push([segment])
    key = next
  }
  return groups
}

function textChunks(group: readonly Segment[], max: number, overlap: number): Piece[] {
  const text = group.map((s) => s.text).join(SEGMENT_SEPARATOR)
  const starts: number[] = []
  let at = 0
  for (const segment of group) {
    starts.push(at)
    at += segment.text.length + SEGMENT_SEPARATOR.length
  }
  const toDocument = (pos: number, isEnd: boolean): number => {
    let k = 0
    while (k + 1 < starts.length && starts[k + 1]! <= (isEnd ? pos - 1 : pos)) k++
    const segment = group[k]!
    return segment.charStart + Math.min(Math.max(0, pos - starts[k]!), segment.text.length)
  }
  const provenance = mergedProvenance(group)
  return packSpans(text, atomize(text, max), max, overlap).map((span) => ({
    text: text.slice(span.start, span.end),
    provenance,
    charStart: toDocument(span.start, false),
    charEnd: toDocument(span.end, true),
  }))
}

function mergedProvenance(group: readonly Segment[]): Provenance {
  const provenance = { ...group[0]!.provenance }
  for (const { provenance: p } of group) {
    if (!p.rows) continue
    const [from, to] = provenance.rows ?? p.rows
    provenance.rows = [Math.min(from, p.rows[0]), Math.max(to, p.rows[1])]
  }
  return provenance
}

/** Rows packed under a repeated header; a row too long for one chunk is split, each part under the header. */
function tableChunks(segment: Segment, max: number): Piece[] {
  const table = segment.table!
  const headerWeight = weightOf(table.header)
  const budget = Math.max(max - headerWeight, max / 4)
  const pieces: Piece[] = []
  let offset = segment.charStart + table.header.length + 1
  let batch: { text: string; row?: number; start: number; end: number }[] = []
  let weight = 0

  const flush = () => {
    if (!batch.length) return
    const first = batch[0]!
    const last = batch[batch.length - 1]!
    const provenance = { ...segment.provenance }
    if (first.row !== undefined && last.row !== undefined) provenance.rows = [first.row, last.row]
    pieces.push({
      text: `${table.header}\n${batch.map((r) => r.text).join('\n')}`,
      provenance,
      charStart: pieces.length === 0 ? segment.charStart : first.start,
      charEnd: last.end,
    })
    batch = []
    weight = 0
  }

  for (const row of table.rows) {
    const start = offset
    offset += row.text.length + 1
    const rowWeight = weightOf(row.text)
    if (rowWeight > budget) {
      flush()
      for (const part of atomize(row.text, budget) as Span[]) {
        batch.push({ text: row.text.slice(part.start, part.end), row: row.row, start: start + part.start, end: start + part.end })
        flush()
      }
      continue
    }
    if (weight + rowWeight > budget) flush()
    batch.push({ text: row.text, row: row.row, start, end: start + row.text.length })
    weight += rowWeight
  }
  flush()
  return pieces
}
