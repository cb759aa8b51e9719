/**
 * @module Markdown: one segment per section with its heading path (ATX and setext headings,
 * never inside code fences); pipe tables become table segments whose header repeats per chunk.
 */
import { tableBlock } from '../markdown-table'
import { segmentBuilder } from '../segment-builder'
import { readTextFile, type Parser } from './parser'

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/
const FENCE = /^ {0,3}(`{3,}|~{3,})/
const TABLE_SEPARATOR = /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/

export const parseMarkdown: Parser = async (bytes, { limits, output }) => {
  const lines = readTextFile(bytes, limits, 'Markdown file').split('\n')
  const out = segmentBuilder(output)
  const path: string[] = []
  let body: string[] = []
  let fence: string | undefined

  const headingOf = () => {
    const heading = path.filter(Boolean)
    return heading.length ? { heading } : {}
  }
  const flush = () => {
    out.text(body.join('\n'), { ...headingOf(), modality: 'text' })
    body = []
  }
  const enter = (level: number, title: string, line: string) => {
    flush()
    path.length = Math.min(path.length, level - 1)
    while (path.length < level - 1) path.push('')
    path.push(title)
    body.push(line)
  }

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    const fenceMark = FENCE.exec(line)?.[1]
    if (fence) {
      if (fenceMark && fenceMark[0] === fence[0] && fenceMark.length >= fence.length) fence = undefined
      body.push(line)
      continue
    }
    if (fenceMark) {
      fence = fenceMark
      body.push(line)
      continue
    }
    const atx = ATX.exec(line)
    if (atx) {
      enter(atx[1]!.length, headingText(atx[2] ?? ''), line)
      continue
    }
    const next = lines[i + 1]
    if (next !== undefined && line.trim() && !isListOrQuote(line) && SETEXT.test(next) && (body.length === 0 || !body[body.length - 1]!.trim())) {
      enter(next.trim().startsWith('=') ? 1 : 2, headingText(line), `${line}\n${next}`)
      i++
      continue
    }
    if (line.includes('|') && next !== undefined && TABLE_SEPARATOR.test(next) && next.includes('-')) {
      const rows: string[][] = []
      let j = i + 2
      for (; j < lines.length && lines[j]!.includes('|') && lines[j]!.trim(); j++) rows.push(splitRow(lines[j]!))
      flush()
      out.table(tableBlock(splitRow(line), rows.map((cells) => ({ cells }))), { ...headingOf(), modality: 'table' })
      i = j - 1
      continue
    }
    body.push(line)
  }
  flush()
  return { segments: out.segments }
}

function isListOrQuote(line: string): boolean {
  return /^ {0,3}([-*+]|\d+[.)]|>)\s/.test(line)
}

/** Heading text without inline markup: emphasis, code ticks and link targets go. */
function headingText(raw: string): string {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*`]+/g, '')
    // Underscores mark emphasis only where they do not join two word characters (snake_case stays).
    .replace(/(?<![\p{L}\p{N}])_+|_+(?![\p{L}\p{N}])/gu, '')
    .trim()
}

function splitRow(line: string): string[] {
  let inner = line.trim()
  if (inner.startsWith('|')) inner = inner.slice(1)
  if (inner.endsWith('|') && !inner.endsWith('\\|')) inner = inner.slice(0, -1)
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'))
}
