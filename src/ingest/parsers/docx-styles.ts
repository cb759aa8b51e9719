/**
 * @module Which Word paragraphs are headings (and at what level) and which are list items,
 * from styles.xml (style names, outline levels, `basedOn` chains) and the paragraph's own properties.
 */
import { attrOf, childrenNamed, childrenOf, firstNamed, readXmlPart, type OoxmlPackage, type XmlNode } from './ooxml'

export type ParagraphStyle = {
  /** 0 for Title, 1–9 for headings; absent for body text. */
  level?: number
  list: boolean
}

export type DocxStyles = { paragraph(node: XmlNode): ParagraphStyle }

type StyleDef = { name: string; basedOn?: string; outline?: number; numbered?: boolean }

/** `w:numPr` numbers a paragraph when it names a list other than 0 ("no numbering"); without `w:numId` it says nothing. */
function numbering(pPr: readonly XmlNode[]): boolean | undefined {
  const numPr = firstNamed(pPr, 'w:numPr')
  const numId = numPr ? attrOf(firstNamed(childrenOf(numPr), 'w:numId') ?? {}, 'w:val') : undefined
  return numId === undefined ? undefined : numId !== '0'
}

export function readDocxStyles(pkg: OoxmlPackage, part: string | undefined): DocxStyles {
  const defs = new Map<string, StyleDef>()
  const root = part ? readXmlPart(pkg, part) : undefined
  for (const style of childrenNamed(childrenOf(firstNamed(root ?? [], 'w:styles') ?? {}), 'w:style')) {
    if (attrOf(style, 'w:type') !== 'paragraph') continue
    const id = attrOf(style, 'w:styleId')
    if (!id) continue
    const props = childrenOf(style)
    const pPr = childrenOf(firstNamed(props, 'w:pPr') ?? {})
    const outline = attrOf(firstNamed(pPr, 'w:outlineLvl') ?? {}, 'w:val')
    const def: StyleDef = { name: (attrOf(firstNamed(props, 'w:name') ?? {}, 'w:val') ?? id).toLowerCase() }
    const numbered = numbering(pPr)
    if (numbered !== undefined) def.numbered = numbered
    const basedOn = attrOf(firstNamed(props, 'w:basedOn') ?? {}, 'w:val')
    if (basedOn) def.basedOn = basedOn
    if (outline !== undefined) def.outline = Number(outline)
    defs.set(id, def)
  }

  const resolved = new Map<string, ParagraphStyle>()
  const resolve = (id: string): ParagraphStyle => {
    const known = resolved.get(id)
    if (known) return known
    let level: number | undefined
    let list: boolean | undefined
    // basedOn chains are short; the hop cap guards against cycles in a damaged file.
    let current = defs.get(id)
    for (let hop = 0; current && hop < 16; hop++) {
      list ??= current.numbered
      level ??= levelOf(current)
      current = current.basedOn ? defs.get(current.basedOn) : undefined
    }
    const style: ParagraphStyle = level === undefined ? { list: !!list } : { level, list: !!list }
    resolved.set(id, style)
    return style
  }

  return {
    paragraph(node) {
      const pPr = childrenOf(firstNamed(childrenOf(node), 'w:pPr') ?? {})
      const styleId = attrOf(firstNamed(pPr, 'w:pStyle') ?? {}, 'w:val')
      const base = styleId ? resolve(styleId) : { list: false }
      const own = attrOf(firstNamed(pPr, 'w:outlineLvl') ?? {}, 'w:val')
      const ownLevel = own !== undefined && Number(own) < 9 ? Number(own) + 1 : undefined
      const level = ownLevel ?? base.level
      const list = numbering(pPr) ?? base.list
      return level === undefined ? { list } : { level, list }
    },
  }
}

function levelOf(def: StyleDef): number | undefined {
  const heading = /^heading\s*([1-9])$/.exec(def.name)
  if (heading) return Number(heading[1])
  if (def.name === 'title') return 0
  if (def.outline !== undefined && def.outline >= 0 && def.outline < 9) return def.outline + 1
  return undefined
}
