/**
 * @module Word documents: paragraphs grouped into sections under their heading path (from the
 * styles' heading levels), tables as Markdown tables, text boxes, equations, image alt text,
 * then footnotes, endnotes, comments, headers and footers.
 */
import type { Provenance } from '../segment'
import { segmentBuilder, type SegmentBuilder } from '../segment-builder'
import { readDocxStyles, type DocxStyles } from './docx-styles'
import {
  attrOf,
  childrenNamed,
  childrenOf,
  firstNamed,
  mainPartOf,
  openPackage,
  readXmlPart,
  readXmlPartInBatches,
  relationshipsOf,
  relType,
  tagOf,
  textNodeValue,
  type OoxmlPackage,
  type XmlNode,
} from './ooxml'
import type { OutputMeter } from '../output-meter'
import { addDocumentProperties } from './doc-properties'
import type { Parser } from './parser'
import { addGrid, toGrid, type GridRow } from './table-grid'

export const parseDocx: Parser = async (bytes, { limits, deadline, output }) => {
  const pkg = openPackage(bytes, 'the document', limits, deadline)
  const main = mainPartOf(pkg, 'word/document.xml')
  const rels = relationshipsOf(pkg, main)
  const partOf = (type: string) => [...rels.values()].filter((r) => relType(r) === type).map((r) => r.target)
  const styles = readDocxStyles(pkg, partOf('styles')[0])
  const out = segmentBuilder(output)
  addDocumentProperties(pkg, out)
  const writer = new SectionWriter(out, styles)

  readXmlPartInBatches(pkg, main, 'w:body', (blocks) => writer.blocks(blocks))
  writer.flush()

  const extras: [string, string, string][] = [
    ['footnotes', 'w:footnotes', 'Footnotes'],
    ['endnotes', 'w:endnotes', 'Endnotes'],
    ['comments', 'w:comments', 'Comments'],
  ]
  for (const [type, rootTag, title] of extras) {
    for (const part of partOf(type)) addNotes(pkg, part, rootTag, title, writer)
  }
  const seen = new Set<string>()
  const meter = out.meter
  for (const part of [...partOf('header'), ...partOf('footer')]) {
    const nodes = readXmlPart(pkg, part) ?? []
    const text = nodes.flatMap((n) => childrenOf(n)).map((n) => blockText(n, styles, meter)).join('\n').trim()
    // Page numbers and other letterless furniture say nothing worth finding.
    if (/\p{L}.*\p{L}/su.test(text) && !seen.has(text)) {
      seen.add(text)
      out.text(text, { heading: ['Headers and footers'], modality: 'text' })
    }
  }
  return { segments: out.segments }
}

function addNotes(pkg: OoxmlPackage, part: string, rootTag: string, title: string, writer: SectionWriter): void {
  const lines: string[] = []
  readXmlPartInBatches(pkg, part, rootTag, (notes) => addNoteLines(notes, lines, writer.styles, writer.out.meter))
  if (lines.length) writer.out.text(lines.join('\n'), { heading: [title], modality: 'text' })
}

function addNoteLines(notes: readonly XmlNode[], lines: string[], styles: DocxStyles, meter: OutputMeter): void {
  for (const note of notes) {
    const type = attrOf(note, 'w:type')
    if (type === 'separator' || type === 'continuationSeparator' || type === 'continuationNotice') continue
    const text = childrenOf(note).map((b) => blockText(b, styles, meter)).filter(Boolean).join(' ').trim()
    if (!text) continue
    const author = attrOf(note, 'w:author')
    lines.push(author ? `${author}: ${text}` : text)
  }
}

/** Accumulates paragraphs under the current heading path; a new heading or a table closes the section. */
class SectionWriter {
  private path: string[] = []
  private lines: string[] = []
  /** Characters gathered in `lines`, checked against the output budget before the section is written. */
  private pending = 0

  constructor(
    readonly out: SegmentBuilder,
    readonly styles: DocxStyles,
  ) {}

  blocks(nodes: readonly XmlNode[]): void {
    for (const node of nodes) {
      const tag = tagOf(node)
      if (tag === 'w:p') this.paragraph(node)
      else if (tag === 'w:tbl') this.table(node)
      else if (tag === 'w:sdt') this.blocks(childrenOf(firstNamed(childrenOf(node), 'w:sdtContent') ?? {}))
      else if (tag === 'w:customXml' || tag === 'w:ins' || tag === 'w:smartTag') this.blocks(childrenOf(node))
    }
  }

  flush(): void {
    this.out.text(this.lines.join('\n'), this.provenance('text'))
    this.lines = []
    this.pending = 0
  }

  private provenance(modality: Provenance['modality']): Provenance {
    const heading = this.path.filter(Boolean)
    return heading.length ? { heading, modality } : { modality }
  }

  private paragraph(node: XmlNode): void {
    const nested: XmlNode[] = []
    const text = paragraphText(node, nested).trim()
    const style = this.styles.paragraph(node)
    if (style.level !== undefined && text) {
      this.flush()
      this.path.length = Math.min(this.path.length, style.level)
      while (this.path.length < style.level) this.path.push('')
      this.path.push(text)
    }
    if (text) {
      this.lines.push(style.list && style.level === undefined ? `- ${text}` : text)
      this.pending += text.length
      this.out.meter.check(this.pending)
    }
    this.blocks(nested)
  }

  private table(node: XmlNode): void {
    this.flush()
    addGrid(this.out, toGrid(tableRows(node, this.styles, this.out.meter), this.out.meter), this.provenance('table'))
  }
}

function tableRows(table: XmlNode, styles: DocxStyles, meter: OutputMeter): GridRow[] {
  return childrenNamed(childrenOf(table), 'w:tr').map((tr) => {
    const trPr = firstNamed(childrenOf(tr), 'w:trPr')
    const before = Number(attrOf(firstNamed(childrenOf(trPr ?? {}), 'w:gridBefore') ?? {}, 'w:val') ?? 0)
    const cells = childrenOf(tr)
      .flatMap((c) => (tagOf(c) === 'w:sdt' ? childrenOf(firstNamed(childrenOf(c), 'w:sdtContent') ?? {}) : [c]))
      .filter((c) => tagOf(c) === 'w:tc')
      .map((tc) => {
        const tcPr = childrenOf(firstNamed(childrenOf(tc), 'w:tcPr') ?? {})
        const span = Number(attrOf(firstNamed(tcPr, 'w:gridSpan') ?? {}, 'w:val') ?? 1)
        const vMerge = firstNamed(tcPr, 'w:vMerge')
        const text = childrenOf(tc).map((b) => blockText(b, styles, meter)).filter(Boolean).join(' ')
        return { text, span: Number.isFinite(span) ? span : 1, continuesAbove: !!vMerge && attrOf(vMerge, 'w:val') !== 'restart' }
      })
    return { leadingEmpty: Number.isFinite(before) ? Math.min(before, 1000) : 0, cells }
  })
}

/** All text of a block (paragraph, table, content control) on one line; used inside cells and notes. */
function blockText(node: XmlNode, styles: DocxStyles, meter: OutputMeter): string {
  const tag = tagOf(node)
  if (tag === 'w:p') {
    const nested: XmlNode[] = []
    const own = paragraphText(node, nested).trim()
    return [own, ...nested.map((n) => blockText(n, styles, meter))].filter(Boolean).join(' ')
  }
  if (tag === 'w:tbl') return toGrid(tableRows(node, styles, meter), meter).map((r) => r.join(' ')).join(' ')
  if (tag === 'w:sdt' || tag === 'w:sdtContent' || tag === 'w:customXml' || tag === 'w:txbxContent') {
    return childrenOf(node).map((n) => blockText(n, styles, meter)).filter(Boolean).join(' ')
  }
  return ''
}

const SKIP = new Set(['w:pPr', 'w:rPr', 'w:delText', 'w:instrText', 'w:del', 'mc:Fallback', 'w:footnoteReference', 'w:endnoteReference'])

/**
 * The text of one paragraph. Text boxes found inside are returned in `nested` (their own
 * paragraphs), image descriptions become "[Image: …]".
 */
export function paragraphText(paragraph: XmlNode, nested: XmlNode[]): string {
  let text = ''
  const walk = (nodes: readonly XmlNode[]) => {
    for (const node of nodes) {
      const tag = tagOf(node)
      if (tag === undefined || SKIP.has(tag)) continue
      if (tag === '#text') continue
      if (tag === 'w:t' || tag === 'm:t') text += childrenOf(node).map((t) => textNodeValue(t) ?? '').join('')
      else if (tag === 'w:tab' || tag === 'w:ptab') text += '\t'
      else if (tag === 'w:br' || tag === 'w:cr') text += '\n'
      else if (tag === 'w:noBreakHyphen') text += '-'
      else if (tag === 'm:sup') (text += '^'), walk(childrenOf(node))
      else if (tag === 'm:sub') (text += '_'), walk(childrenOf(node))
      else if (tag === 'w:txbxContent') for (const child of childrenOf(node)) nested.push(child)
      else if (tag === 'wp:docPr' || tag === 'pic:cNvPr') {
        const alt = tag === 'wp:docPr' ? (attrOf(node, 'descr') ?? attrOf(node, 'title')) : undefined
        if (alt?.trim()) nested.push({ 'w:p': [{ 'w:r': [{ 'w:t': [{ '#text': `[Image: ${alt.replace(/\s+/g, ' ').trim()}]` }] }] }] })
      } else walk(childrenOf(node))
    }
  }
  walk(childrenOf(paragraph))
  return text.replace(/[^\S\n]+/g, ' ')
}
