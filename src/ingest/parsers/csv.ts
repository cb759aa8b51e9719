/**
 * @module CSV: delimiter detected among comma, semicolon, tab and pipe, quoted fields honoured;
 * the first non-empty record is the header, and the table segment keeps every row's number so
 * chunks can cite rows and repeat the header.
 */
import Papa from 'papaparse'
import { LimitExceededError } from '../errors'
import { formatCount, type Limits } from '../limits'
import { tableLine } from '../markdown-table'
import type { TableRow } from '../segment'
import { segmentBuilder } from '../segment-builder'
import { readTextFile, type Parser } from './parser'

export const CSV_DELIMITERS = [',', ';', '\t', '|']

export const parseCsv: Parser = async (bytes, { limits, deadline, output }) => {
  const text = readTextFile(bytes, limits, 'CSV file')
  let header: string[] | undefined
  const rows: TableRow[] = []
  let width = 0
  let cells = 0
  let record = 0
  let produced = 0
  let failure: LimitExceededError | undefined
  // Rows are rendered as they stream past, so the parsed cell arrays never pile up in memory.
  Papa.parse<string[]>(text, {
    delimitersToGuess: CSV_DELIMITERS,
    skipEmptyLines: false,
    step: (result, parser) => {
      record++
      const values = result.data
      if (!values.some((cell) => cell.trim())) return
      cells += values.length
      failure = overLimit(record, cells, limits)
      if (failure) return parser.abort()
      const trimmed = values.map((c) => c.trim())
      if (!header) {
        header = trimmed
        return
      }
      width = Math.max(width, trimmed.length)
      const padded = trimmed.length < header.length ? [...trimmed, ...Array<string>(header.length - trimmed.length).fill('')] : trimmed
      const line = tableLine(padded)
      produced += line.length
      try {
        output.check(produced)
      } catch (err) {
        failure = err as LimitExceededError
        return parser.abort()
      }
      rows.push({ text: line, row: record })
    },
  })
  if (failure) throw failure
  deadline.check()

  const out = segmentBuilder(output)
  if (!header) return { segments: [] }
  if (rows.length === 0) {
    out.text(tableLine(header), { modality: 'table' })
    return { segments: out.segments }
  }
  // Columns some rows have beyond the header get a name, so no value is left without one.
  const names = [...header]
  for (let i = names.length; i < width; i++) names.push(`Column ${i + 1}`)
  const headerText = `${tableLine(names)}\n${tableLine(names.map(() => '---'))}`
  out.table({ header: headerText, rows }, { rows: [rows[0]!.row!, rows[rows.length - 1]!.row!], modality: 'table' })
  return { segments: out.segments }
}

function overLimit(records: number, cells: number, limits: Limits): LimitExceededError | undefined {
  if (records > limits.maxRowsPerSheet) {
    return new LimitExceededError(`the CSV has more than ${formatCount(limits.maxRowsPerSheet)} rows, more than Cairn reads in one table`)
  }
  if (cells > limits.maxCellsPerSheet) {
    return new LimitExceededError(`the CSV has more than ${formatCount(limits.maxCellsPerSheet)} cells, more than Cairn reads in one table`)
  }
  return undefined
}
