/**
 * @module Renders grid cells as Markdown table lines, the one table shape every format
 * (csv, xlsx, docx, pptx) produces, so chunks read alike whatever the source.
 */
import type { TableBlock, TableRow } from './segment'

/** One cell as it may appear between pipes: one line, pipes escaped. */
export function tableCell(value: string): string {
  return value.replace(/\s*[\r\n]+\s*/g, ' ').replace(/\|/g, '\\|').trim()
}

export function tableLine(cells: readonly string[]): string {
  return `| ${cells.map(tableCell).join(' | ')} |`
}

/**
 * A table block from a header and rows; rows are padded to the widest, and columns the header
 * lacks are named `Column N` so that no value is left without a name.
 */
export function tableBlock(
  header: readonly string[],
  rows: readonly { cells: readonly string[]; row?: number }[],
): TableBlock {
  // reduce, not Math.max(...rows): spreading 100,000 rows overflows the call stack.
  const width = rows.reduce((w, r) => Math.max(w, r.cells.length), Math.max(header.length, 1))
  const names = Array.from({ length: width }, (_, i) => header[i] ?? '')
  for (let i = header.length; i < width; i++) names[i] = `Column ${i + 1}`
  const headerText = `${tableLine(names)}\n${tableLine(names.map(() => '---'))}`
  const tableRows: TableRow[] = rows.map(({ cells, row }) => {
    const padded = Array.from({ length: width }, (_, i) => cells[i] ?? '')
    const line: TableRow = { text: tableLine(padded) }
    if (row !== undefined) line.row = row
    return line
  })
  return { header: headerText, rows: tableRows }
}
