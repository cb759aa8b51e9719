/**
 * @module PowerPoint: one part per slide in presentation order (page = slide number), the slide
 * title as heading, shape text, tables and charts as tables, picture alt text, then the speaker
 * notes and comments of that slide. The PNG and JPEG pictures placed on each slide are listed for a
 * vision model (`perception/slide-pictures.ts`), inflated only if it reads them.
 */
import { LimitExceededError } from '../errors'
import { formatCount } from '../limits'
import type { EmbeddedPicture, Provenance } from '../segment'
import { segmentBuilder, type SegmentBuilder } from '../segment-builder'
import { readChart } from './chart'
import {
  attrOf,
  childrenNamed,
  childrenOf,
  collectDeep,
  findDeep,
  firstNamed,
  mainPartOf,
  openPackage,
  readXmlPart,
  relationshipsOf,
  relType,
  tagOf,
  textNodeValue,
  type OoxmlPackage,
  type Relationship,
  type XmlNode,
} from './ooxml'
import { addDocumentProperties } from './doc-properties'
import type { Parser } from './parser'
import { addGrid, toGrid, type GridRow } from './table-grid'

export const parsePptx: Parser = async (bytes, { limits, deadline, output }) => {
  const pkg = openPackage(bytes, 'the presentation', limits, deadline)
  const main = mainPartOf(pkg, 'ppt/presentation.xml')
  const rels = relationshipsOf(pkg, main)
  const root = readXmlPart(pkg, main) ?? []
  const list = findDeep(root, 'p:sldIdLst')
  const slides = childrenNamed(childrenOf(list ?? {}), 'p:sldId')
    .map((s) => rels.get(attrOf(s, 'r:id') ?? ''))
    .filter((r): r is Relationship => !!r && pkg.zip.has(r.target))
  if (slides.length > limits.maxPages) {
    throw new LimitExceededError(
      `the presentation has ${formatCount(slides.length)} slides, more than the ${formatCount(limits.maxPages)} Cairn reads in one file`,
    )
  }
  const out = segmentBuilder(output)
  const pictures: EmbeddedPicture[] = []
  slides.forEach((slide, i) => {
    deadline.check()
    out.restartOffsets()
    readSlide(pkg, slide.target, i + 1, out, pictures)
    // The deck's own title and keywords go with slide 1, after its text, so its offsets stay put.
    if (i === 0) addDocumentProperties(pkg, out, 1)
  })
  return { segments: out.segments, pageCount: slides.length, pictures }
}

const PICTURE_EXTENSIONS: Record<string, EmbeddedPicture['kind']> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg' }

/** The PNG or JPEG a `p:pic` shows (its `a:blip`), or null for other formats (EMF, SVG, GIF…) and missing parts. */
function pictureOf(pkg: OoxmlPackage, shape: XmlNode, rels: Map<string, Relationship>, page: number): EmbeddedPicture | null {
  const blip = findDeep(childrenOf(shape), 'a:blip')
  const target = rels.get(attrOf(blip ?? {}, 'r:embed') ?? '')?.target
  const kind = PICTURE_EXTENSIONS[target?.split('.').pop()?.toLowerCase() ?? '']
  if (!target || !kind || !pkg.zip.has(target)) return null
  return { page, name: target, kind, read: () => pkg.zip.read(target) }
}

function readSlide(pkg: OoxmlPackage, part: string, page: number, out: SegmentBuilder, pictures: EmbeddedPicture[]): void {
  const root = readXmlPart(pkg, part) ?? []
  const rels = relationshipsOf(pkg, part)
  const tree = findDeep(root, 'p:spTree')
  const shapes = tree ? flattenShapes(childrenOf(tree)) : []
  const titleShape = shapes.find((s) => ['title', 'ctrTitle'].includes(placeholderType(s) ?? ''))
  const title = titleShape ? shapeText(titleShape).replace(/\s+/g, ' ').trim() : ''
  const provenance = (modality: Provenance['modality']): Provenance =>
    title ? { page, heading: [title], modality } : { page, modality }

  let lines: string[] = []
  const flush = () => {
    out.text(lines.join('\n'), provenance('text'))
    lines = []
  }
  for (const shape of shapes) {
    const tag = tagOf(shape)
    if (tag === 'p:sp') lines.push(shapeText(shape))
    else if (tag === 'p:pic') {
      const alt = attrOf(findDeep(childrenOf(shape), 'p:cNvPr') ?? {}, 'descr')?.replace(/\s+/g, ' ').trim()
      if (alt) lines.push(`[Image: ${alt}]`)
      const picture = pictureOf(pkg, shape, rels, page)
      if (picture) pictures.push(picture)
    } else if (tag === 'p:graphicFrame') {
      const table = findDeep(childrenOf(shape), 'a:tbl')
      const chartRef = findDeep(childrenOf(shape), 'c:chart')
      if (table) {
        flush()
        addGrid(out, toGrid(tableRows(table), out.meter), provenance('table'))
      } else if (chartRef) {
        const chart = rels.get(attrOf(chartRef, 'r:id') ?? '')
        const content = chart ? readChart(pkg, chart.target) : undefined
        if (content) {
          lines.push(content.title)
          flush()
          addGrid(out, content.grid, provenance('table'))
        }
      }
    }
  }
  for (const rel of rels.values()) {
    if (relType(rel) === 'notesSlide') {
      const notes = notesText(pkg, rel.target)
      if (notes) lines.push(`Speaker notes:\n${notes}`)
    } else if (relType(rel) === 'comments') {
      const comments = collectDeep(readXmlPart(pkg, rel.target) ?? [], 'p:text').map(allText).filter(Boolean)
      if (comments.length) lines.push(`Comments:\n${comments.join('\n')}`)
    }
  }
  flush()
}

/** Shapes in reading order, group shapes opened, alternate content resolved to its first choice. */
function flattenShapes(nodes: readonly XmlNode[], out: XmlNode[] = []): XmlNode[] {
  for (const node of nodes) {
    const tag = tagOf(node)
    if (tag === 'p:grpSp') flattenShapes(childrenOf(node), out)
    else if (tag === 'mc:AlternateContent') {
      const choice = firstNamed(childrenOf(node), 'mc:Choice') ?? firstNamed(childrenOf(node), 'mc:Fallback')
      if (choice) flattenShapes(childrenOf(choice), out)
    } else if (tag === 'p:sp' || tag === 'p:pic' || tag === 'p:graphicFrame') out.push(node)
  }
  return out
}

function placeholderType(shape: XmlNode): string | undefined {
  const ph = findDeep(childrenOf(firstNamed(childrenOf(shape), 'p:nvSpPr') ?? {}), 'p:ph')
  return ph ? (attrOf(ph, 'type') ?? 'body') : undefined
}

/** A text body's paragraphs, one per line. */
function shapeText(shape: XmlNode): string {
  const body = firstNamed(childrenOf(shape), 'p:txBody') ?? findDeep(childrenOf(shape), 'a:txBody')
  if (!body) return ''
  return childrenNamed(childrenOf(body), 'a:p')
    .map(paragraphText)
    .join('\n')
    .trim()
}

function paragraphText(p: XmlNode): string {
  let text = ''
  for (const node of childrenOf(p)) {
    const tag = tagOf(node)
    if (tag === 'a:r' || tag === 'a:fld') text += collectDeep(childrenOf(node), 'a:t').map(allText).join('')
    else if (tag === 'a:br') text += '\n'
  }
  return text.replace(/[^\S\n]+/g, ' ').trim()
}

function allText(node: XmlNode): string {
  if (tagOf(node) === '#text') return textNodeValue(node) ?? ''
  return childrenOf(node).map(allText).join('')
}

function notesText(pkg: OoxmlPackage, part: string): string {
  const tree = findDeep(readXmlPart(pkg, part) ?? [], 'p:spTree')
  if (!tree) return ''
  return flattenShapes(childrenOf(tree))
    .filter((s) => tagOf(s) === 'p:sp' && ['body', 'obj'].includes(placeholderType(s) ?? 'body'))
    .map(shapeText)
    .filter(Boolean)
    .join('\n')
}

function tableRows(table: XmlNode): GridRow[] {
  return childrenNamed(childrenOf(table), 'a:tr').map((tr) => ({
    leadingEmpty: 0,
    cells: childrenNamed(childrenOf(tr), 'a:tc')
      .filter((tc) => attrOf(tc, 'hMerge') !== '1')
      .map((tc) => {
        const body = firstNamed(childrenOf(tc), 'a:txBody')
        const text = body ? childrenNamed(childrenOf(body), 'a:p').map(paragraphText).join(' ').trim() : ''
        const span = Number(attrOf(tc, 'gridSpan') ?? 1)
        return { text, span: Number.isFinite(span) ? span : 1, continuesAbove: attrOf(tc, 'vMerge') === '1' }
      }),
  }))
}
