/**
 * @module Safe reading of Office Open XML packages (docx, pptx, xlsx): parts come from the
 * capped ZIP reader, XML is parsed with no entity expansion, no DOCTYPE and bounded depth.
 */
import { XMLParser } from 'fast-xml-parser'
import { DamagedFileError, LimitExceededError, UnsupportedFormatError } from '../errors'
import type { Deadline, Limits } from '../limits'
import { isEncryptedOffice, isOle } from './ole'
import { splitContainer } from './xml-batches'
import { openZip, type ZipArchive } from './zip-reader'

/** A node as fast-xml-parser's ordered mode gives it: `{ tag: children, ':@': attributes }` or `{ '#text': … }`. */
export type XmlNode = Record<string, unknown>

export type OoxmlPackage = {
  zip: ZipArchive
  /** "the document", "the presentation", "the spreadsheet": how reasons name the file. */
  label: string
  limits: Limits
  deadline: Deadline
}

export function openPackage(bytes: Uint8Array, label: string, limits: Limits, deadline: Deadline): OoxmlPackage {
  if (isOle(bytes)) {
    throw isEncryptedOffice(bytes)
      ? new DamagedFileError(`${label} is encrypted and needs a password; save it without one and upload it again`)
      : new UnsupportedFormatError(`${label} is in the old Office 97–2003 format; save it in the current format and upload it again`)
  }
  return { zip: openZip(bytes, limits, label), label, limits, deadline }
}

/** Declarations that only entity tricks (billion laughs, XXE) need; OOXML never uses them. */
const DECLARATION = /<!\s*(DOCTYPE|ENTITY)/i

function refuseDeclarations(text: string, label: string): void {
  if (DECLARATION.test(text)) {
    throw new DamagedFileError(
      `${label} contains XML DOCTYPE or entity declarations, which Office files never use; it was refused as unsafe`,
    )
  }
}

export function parseXml(text: string, label: string, maxDepth: number): XmlNode[] {
  refuseDeclarations(text, label)
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    // Entities are decoded by decodeXml below: the five XML built-ins and numeric references, nothing else.
    processEntities: false,
    htmlEntities: false,
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: maxDepth,
  })
  try {
    return parser.parse(text) as XmlNode[]
  } catch (err) {
    if (err instanceof Error && /nested tags/i.test(err.message)) {
      throw new LimitExceededError(`${label} nests its XML deeper than ${maxDepth} levels`)
    }
    throw new DamagedFileError(`${label} is damaged: one of its XML parts cannot be read`)
  }
}

/** Decodes an XML part's bytes: UTF-8 (with or without BOM) or UTF-16 with a BOM. */
export function xmlString(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes)
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes)
  return new TextDecoder('utf-8').decode(bytes)
}

/** Reads and parses a part as one tree (so under `maxXmlTreeBytes`), or `undefined` when there is no such part. */
export function readXmlPart(pkg: OoxmlPackage, name: string): XmlNode[] | undefined {
  if (!pkg.zip.has(name)) return undefined
  pkg.deadline.check()
  const text = xmlString(pkg.zip.read(name, pkg.limits.maxXmlTreeBytes))
  return parseXml(text, pkg.label, pkg.limits.maxXmlDepth)
}

/** Characters of XML parsed at once when a part is read in batches (≈ 20 MB of parse tree). */
const BATCH_CHARS = 1024 * 1024

/**
 * Reads a part whose bulk is the children of one element (`sheetData`, `body`, `sst`): each run
 * of children is parsed and handed to `onChildren` in turn, wrapped in that element, and the
 * rest of the part is parsed and returned. Memory follows the run, not the part.
 */
export function readXmlPartInBatches(
  pkg: OoxmlPackage,
  name: string,
  container: string,
  onChildren: (nodes: XmlNode[]) => void,
): XmlNode[] | undefined {
  if (!pkg.zip.has(name)) return undefined
  pkg.deadline.check()
  const text = xmlString(pkg.zip.read(name))
  refuseDeclarations(text, pkg.label)
  const split = splitContainer(text, container, BATCH_CHARS)
  if (!split) return parseXml(text, pkg.label, pkg.limits.maxXmlDepth)
  for (const run of split.batches) {
    pkg.deadline.check()
    onChildren(parseXml(`<batch>${run}</batch>`, pkg.label, pkg.limits.maxXmlDepth).flatMap(childrenOf))
  }
  return parseXml(split.outside, pkg.label, pkg.limits.maxXmlDepth)
}

const ENTITY = /&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g
const BUILT_IN: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

export function decodeXml(value: string): string {
  if (!value.includes('&')) return value
  return value.replace(ENTITY, (whole, name: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (name) return BUILT_IN[name] ?? whole
    const cp = dec ? Number.parseInt(dec, 10) : Number.parseInt(hex ?? '', 16)
    if (!Number.isFinite(cp) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0) return ''
    return String.fromCodePoint(cp)
  })
}

export function tagOf(node: XmlNode): string | undefined {
  for (const key in node) if (key !== ':@') return key
  return undefined
}

export function childrenOf(node: XmlNode): XmlNode[] {
  const tag = tagOf(node)
  const value = tag === undefined ? undefined : node[tag]
  return Array.isArray(value) ? (value as XmlNode[]) : []
}

export function attrOf(node: XmlNode, name: string): string | undefined {
  const attrs = node[':@'] as Record<string, unknown> | undefined
  const value = attrs?.[name]
  return typeof value === 'string' ? decodeXml(value) : undefined
}

/** The raw text of a `#text` node, entities decoded; `undefined` for elements. */
export function textNodeValue(node: XmlNode): string | undefined {
  const value = node['#text']
  return value === undefined ? undefined : decodeXml(String(value))
}

export function childrenNamed(nodes: readonly XmlNode[], tag: string): XmlNode[] {
  return nodes.filter((n) => tagOf(n) === tag)
}

export function firstNamed(nodes: readonly XmlNode[], tag: string): XmlNode | undefined {
  return nodes.find((n) => tagOf(n) === tag)
}

/** Depth-first search for the first element with this tag (bounded by the parse depth cap). */
export function findDeep(nodes: readonly XmlNode[], tag: string): XmlNode | undefined {
  for (const node of nodes) {
    if (tagOf(node) === tag) return node
    const inner = findDeep(childrenOf(node), tag)
    if (inner) return inner
  }
  return undefined
}

/** Every element with this tag, in document order, not descending into matches. */
export function collectDeep(nodes: readonly XmlNode[], tag: string, out: XmlNode[] = []): XmlNode[] {
  for (const node of nodes) {
    if (tagOf(node) === tag) out.push(node)
    else collectDeep(childrenOf(node), tag, out)
  }
  return out
}

export type Relationship = { id: string; type: string; target: string }

/** A part's relationships (`_rels/x.xml.rels`), targets resolved to package paths; external ones dropped. */
export function relationshipsOf(pkg: OoxmlPackage, partName: string): Map<string, Relationship> {
  const slash = partName.lastIndexOf('/')
  const dir = slash < 0 ? '' : partName.slice(0, slash)
  const file = partName.slice(slash + 1)
  const relsName = dir ? `${dir}/_rels/${file}.rels` : `_rels/${file}.rels`
  const map = new Map<string, Relationship>()
  const root = readXmlPart(pkg, relsName)
  if (!root) return map
  const rels = childrenOf(firstNamed(root, 'Relationships') ?? {})
  for (const rel of childrenNamed(rels, 'Relationship')) {
    const id = attrOf(rel, 'Id')
    const target = attrOf(rel, 'Target')
    if (!id || !target || attrOf(rel, 'TargetMode') === 'External') continue
    map.set(id, { id, type: attrOf(rel, 'Type') ?? '', target: resolvePartPath(dir, target) })
  }
  return map
}

export function resolvePartPath(baseDir: string, target: string): string {
  const parts = target.startsWith('/') ? [] : baseDir.split('/').filter(Boolean)
  for (const piece of target.split('/')) {
    if (piece === '' || piece === '.') continue
    if (piece === '..') parts.pop()
    else parts.push(piece)
  }
  return parts.join('/')
}

/** Relationship types end in a stable word (`…/slide`, `…/notesSlide`); match on that. */
export function relType(rel: Relationship): string {
  return rel.type.slice(rel.type.lastIndexOf('/') + 1)
}

/** The package's main part (document, presentation, workbook), found through `_rels/.rels`. */
export function mainPartOf(pkg: OoxmlPackage, conventional: string): string {
  for (const rel of relationshipsOf(pkg, '').values()) {
    if (relType(rel) === 'officeDocument' && pkg.zip.has(rel.target)) return rel.target
  }
  if (pkg.zip.has(conventional)) return conventional
  throw new DamagedFileError(`${pkg.label} is damaged: its main part is missing`)
}
