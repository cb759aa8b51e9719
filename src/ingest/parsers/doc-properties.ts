/**
 * @module An Office file's own description (docProps/core.xml): title, subject, keywords,
 * description, author and category, as one short segment people can find the file by.
 */
import type { SegmentBuilder } from '../segment-builder'
import { childrenOf, relationshipsOf, relType, readXmlPart, tagOf, textNodeValue, type OoxmlPackage, type XmlNode } from './ooxml'

const FIELDS: readonly [string, string][] = [
  ['dc:title', 'Title'],
  ['dc:subject', 'Subject'],
  ['cp:keywords', 'Keywords'],
  ['dc:description', 'Description'],
  ['dc:creator', 'Author'],
  ['cp:category', 'Category'],
]

export const PROPERTIES_HEADING = 'Document properties'

/** `page` places the segment on a page, for formats where every chunk must cite one (slides). */
export function addDocumentProperties(pkg: OoxmlPackage, out: SegmentBuilder, page?: number): void {
  const rel = [...relationshipsOf(pkg, '').values()].find((r) => relType(r) === 'core-properties')
  const root = readXmlPart(pkg, rel?.target ?? 'docProps/core.xml')
  const props = childrenOf(root?.find((n) => tagOf(n) === 'cp:coreProperties') ?? {})
  const lines: string[] = []
  for (const [tag, label] of FIELDS) {
    const value = props
      .filter((n) => tagOf(n) === tag)
      .map(allText)
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim()
    if (value) lines.push(`${label}: ${value}`)
  }
  const placed = page === undefined ? {} : { page }
  out.text(lines.join('\n'), { ...placed, heading: [PROPERTIES_HEADING], modality: 'text' })
}

function allText(node: XmlNode): string {
  if (tagOf(node) === '#text') return textNodeValue(node) ?? ''
  return childrenOf(node).map(allText).join('')
}
