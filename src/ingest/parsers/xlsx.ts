/**
 * @module Excel workbooks: every worksheet in tab order, its cells read (shared strings, cached
 * formula values, dates) under row and cell caps, split into tables; each table's first row is
 * its header and rows keep the sheet's own row numbers.
 */
import { LimitExceededError } from '../errors'
import { formatCount, type Limits } from '../limits'
import type { OutputMeter } from '../output-meter'
import { tableBlock, tableLine } from '../markdown-table'
import { segmentBuilder, type SegmentBuilder } from '../segment-builder'
import {
  attrOf,
  childrenNamed,
  childrenOf,
  findDeep,
  firstNamed,
  mainPartOf,
  openPackage,
  readXmlPart,
  readXmlPartInBatches,
  relationshipsOf,
  relType,
  type OoxmlPackage,
  type XmlNode,
} from './ooxml'
import { addDocumentProperties } from './doc-properties'
import type { Parser } from './parser'
import { cellReader, type CellReader } from './xlsx-cells'
import { cellKey, cellPosition, findRegions, MAX_COLUMN, type CellMap, type Region } from './xlsx-regions'

const MAX_ROW = 1_048_576

export const parseXlsx: Parser = async (bytes, { limits, deadline, output }) => {
  const pkg = openPackage(bytes, 'the spreadsheet', limits, deadline)
  const main = mainPartOf(pkg, 'xl/workbook.xml')
  const rels = relationshipsOf(pkg, main)
  const workbook = readXmlPart(pkg, main) ?? []
  const relOfType = (type: string) => [...rels.values()].find((r) => relType(r) === type)?.target
  const date1904 = ['1', 'true'].includes(attrOf(findDeep(workbook, 'workbookPr') ?? {}, 'date1904') ?? '')
  const cells = cellReader(pkg, relOfType('sharedStrings'), relOfType('styles'), date1904)

  const out = segmentBuilder(output)
  addDocumentProperties(pkg, out)
  for (const sheet of childrenNamed(childrenOf(findDeep(workbook, 'sheets') ?? {}), 'sheet')) {
    const rel = rels.get(attrOf(sheet, 'r:id') ?? '')
    // Chart sheets and dialog sheets hold no cells.
    if (!rel || relType(rel) !== 'worksheet') continue
    deadline.check()
    const name = attrOf(sheet, 'name') ?? rel.target
    addSheet(out, name, readSheetCells(pkg, rel.target, name, cells, limits, output))
  }
  return { segments: out.segments }
}

/**
 * A sheet's cells, their characters counted as they are read: one shared string may fill any number
 * of cells (and a merged range copies its value into every cell it covers), so what a sheet expands
 * to is known only here, long before its rows are written out.
 */
function readSheetCells(pkg: OoxmlPackage, part: string, sheet: string, reader: CellReader, limits: Limits, output: OutputMeter): CellMap {
  const cells: CellMap = new Map()
  let produced = 0
  let rowNumber = 0
  let rowCount = 0
  const readRows = (rows: XmlNode[]) => {
    for (const row of childrenNamed(rows, 'row')) readRow(row)
  }
  const readRow = (row: XmlNode) => {
    rowNumber = Number(attrOf(row, 'r') ?? rowNumber + 1)
    if (!Number.isInteger(rowNumber) || rowNumber < 1 || rowNumber > MAX_ROW) return
    let col = 0
    let filled = false
    for (const cell of childrenNamed(childrenOf(row), 'c')) {
      const ref = attrOf(cell, 'r')
      col = ref ? columnIndex(ref) : col + 1
      if (col < 1 || col > MAX_COLUMN) continue
      const value = reader.value(cell).trim()
      if (!value) continue
      cells.set(cellKey(rowNumber, col), value)
      produced += value.length
      output.check(produced)
      filled = true
      if (cells.size > limits.maxCellsPerSheet) throw tooManyCells(sheet, limits)
    }
    if (filled && ++rowCount > limits.maxRowsPerSheet) {
      throw new LimitExceededError(
        `the sheet "${sheet}" has more than ${formatCount(limits.maxRowsPerSheet)} rows, more than Cairn reads in one sheet`,
      )
    }
  }
  const rest = readXmlPartInBatches(pkg, part, 'sheetData', readRows) ?? []
  fillMergedCells(rest, cells, sheet, limits, (chars) => {
    produced += chars
    output.check(produced)
  })
  return cells
}

/** Largest merged area whose value is copied into every cell it covers. */
const MAX_MERGE_CELLS = 10_000

/**
 * A merged range shows its top-left value across the whole range; copying it keeps every row
 * whole, as spans are in docx and pptx tables.
 */
function fillMergedCells(root: XmlNode[], cells: CellMap, sheet: string, limits: Limits, count: (chars: number) => void): void {
  for (const merge of childrenNamed(childrenOf(findDeep(root, 'mergeCells') ?? {}), 'mergeCell')) {
    const [from, to] = (attrOf(merge, 'ref') ?? '').split(':')
    if (!from || !to) continue
    const [top, left, bottom, right] = [rowIndex(from), columnIndex(from), rowIndex(to), columnIndex(to)]
    if (!(top >= 1 && left >= 1 && bottom >= top && right >= left && bottom <= MAX_ROW)) continue
    if ((bottom - top + 1) * (right - left + 1) > MAX_MERGE_CELLS) continue
    const value = cells.get(cellKey(top, left))
    if (!value) continue
    count(value.length * ((bottom - top + 1) * (right - left + 1) - 1))
    for (let row = top; row <= bottom; row++) {
      for (let col = left; col <= right; col++) cells.set(cellKey(row, col), value)
    }
    if (cells.size > limits.maxCellsPerSheet) throw tooManyCells(sheet, limits)
  }
}

function tooManyCells(sheet: string, limits: Limits): LimitExceededError {
  return new LimitExceededError(
    `the sheet "${sheet}" has more than ${formatCount(limits.maxCellsPerSheet)} filled cells, more than Cairn reads in one sheet`,
  )
}

/** "AB12" → 12. */
function rowIndex(ref: string): number {
  const digits = /\d+$/.exec(ref)?.[0]
  return digits ? Number(digits) : -1
}

/** "AB12" → 28. */
export function columnIndex(ref: string): number {
  let col = 0
  for (const ch of ref) {
    const code = ch.charCodeAt(0)
    if (code >= 65 && code <= 90) col = col * 26 + (code - 64)
    else if (code >= 97 && code <= 122) col = col * 26 + (code - 96)
    else break
    if (col > MAX_COLUMN) return -1
  }
  return col
}

function addSheet(out: SegmentBuilder, sheet: string, cells: CellMap): void {
  const byRow = new Map<number, [number, string][]>()
  for (const [key, value] of cells) {
    const { row, col } = cellPosition(key)
    const line = byRow.get(row) ?? []
    line.push([col, value])
    byRow.set(row, line)
  }
  const rowNumbers = [...byRow.keys()].sort((a, b) => a - b)
  for (const region of findRegions(cells)) {
    const rows = regionRows(byRow, rowNumbers, region)
    const [header, ...body] = rows
    if (!header) continue
    const last = rows[rows.length - 1]!.row
    if (body.length === 0) {
      const filled = header.cells.filter(Boolean)
      const text = filled.length === 1 ? filled[0]! : tableLine(header.cells)
      out.text(text, { sheet, rows: [header.row, header.row], modality: filled.length === 1 ? 'text' : 'table' })
      continue
    }
    out.table(tableBlock(header.cells, body), { sheet, rows: [body[0]!.row, last], modality: 'table' })
  }
}

/**
 * The region's rows with their filled cells, over the columns that hold anything. A region so
 * sparse that a full grid would dwarf its content gets one cell per row with "B7: value" pairs.
 */
function regionRows(
  byRow: Map<number, [number, string][]>,
  rowNumbers: readonly number[],
  region: Region,
): { cells: string[]; row: number }[] {
  const inside: [number, [number, string][]][] = []
  const columns = new Set<number>()
  let filled = 0
  for (const row of rowNumbers) {
    if (row < region.top || row > region.bottom) continue
    const line = byRow.get(row)!.filter(([col]) => col >= region.left && col <= region.right)
    if (!line.length) continue
    for (const [col] of line) columns.add(col)
    filled += line.length
    inside.push([row, line])
  }
  const used = [...columns].sort((a, b) => a - b)
  if (inside.length * used.length > Math.max(50_000, 10 * filled)) {
    return inside.map(([row, line]) => ({
      row,
      cells: [line.sort((a, b) => a[0] - b[0]).map(([col, v]) => `${columnName(col)}${row}: ${v}`).join(' · ')],
    }))
  }
  const position = new Map(used.map((col, i) => [col, i]))
  return inside.map(([row, line]) => {
    const cells = used.map(() => '')
    for (const [col, value] of line) cells[position.get(col)!] = value
    return { row, cells }
  })
}

/** 28 → "AB". */
export function columnName(col: number): string {
  let name = ''
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name
  return name
}
