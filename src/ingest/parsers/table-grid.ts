/**
 * @module Office tables (Word, PowerPoint) to a plain grid: a horizontally spanned cell repeats
 * across its columns and a vertically merged one repeats down its rows, so every row reads whole.
 */
import { tableBlock, tableLine } from '../markdown-table'
import type { OutputMeter } from '../output-meter'
import type { Provenance } from '../segment'
import type { SegmentBuilder } from '../segment-builder'

export type GridCell = {
  text: string
  /** Columns this cell covers (gridSpan). */
  span: number
  /** Continues the cell above (vMerge without restart). */
  continuesAbove: boolean
}

export type GridRow = { leadingEmpty: number; cells: GridCell[] }

/** The grid, its characters checked against `meter` as spans and merges copy them (a spanned cell is written once per column). */
export function toGrid(rows: readonly GridRow[], meter: OutputMeter): string[][] {
  const grid: string[][] = []
  let produced = 0
  for (const row of rows) {
    const line: string[] = Array.from({ length: row.leadingEmpty }, () => '')
    for (const cell of row.cells) {
      const span = Math.max(1, Math.min(cell.span, 1000))
      for (let k = 0; k < span; k++) {
        const col = line.length
        const text = cell.continuesAbove ? (grid[grid.length - 1]?.[col] ?? '') : cell.text
        line.push(text)
        produced += text.length
      }
    }
    meter.check(produced)
    grid.push(line)
  }
  return grid
}

/** Adds a grid as a table segment (first row as header), or as a line of text if it has one row. */
export function addGrid(out: SegmentBuilder, grid: string[][], provenance: Provenance): void {
  const rows = grid.filter((r) => r.some((c) => c.trim()))
  const [header, ...body] = rows
  if (!header) return
  if (body.length === 0) {
    out.text(tableLine(header), { ...provenance, modality: 'table' })
    return
  }
  out.table(tableBlock(header, body.map((cells) => ({ cells }))), provenance)
}
