/**
 * @module Cell values as a reader of the spreadsheet sees them: shared and inline strings,
 * booleans, errors, cached formula results, and serial numbers shown as dates where the cell's
 * number format is a date format.
 */
import {
  attrOf,
  childrenNamed,
  childrenOf,
  collectDeep,
  firstNamed,
  readXmlPart,
  readXmlPartInBatches,
  tagOf,
  textNodeValue,
  type OoxmlPackage,
  type XmlNode,
} from './ooxml'

export type CellReader = { value(cell: XmlNode): string }

export function cellReader(pkg: OoxmlPackage, sharedStringsPart: string | undefined, stylesPart: string | undefined, date1904: boolean): CellReader {
  const shared = sharedStringsPart ? readSharedStrings(pkg, sharedStringsPart) : []
  const dateStyles = stylesPart ? readDateStyles(pkg, stylesPart) : new Set<number>()
  return {
    value(cell) {
      const type = attrOf(cell, 't') ?? 'n'
      const parts = childrenOf(cell)
      const v = firstNamed(parts, 'v')
      const raw = v ? allText(v) : ''
      switch (type) {
        case 's':
          return shared[Number(raw)] ?? ''
        case 'inlineStr':
          return richText(firstNamed(parts, 'is'))
        case 'b':
          return raw === '1' ? 'TRUE' : raw === '0' ? 'FALSE' : raw
        case 'str':
        case 'e':
        case 'd':
          return raw
        default: {
          if (raw === '') return ''
          const n = Number(raw)
          if (!Number.isFinite(n)) return raw
          const style = Number(attrOf(cell, 's') ?? 0)
          if (dateStyles.has(style)) return serialToDate(n, date1904) ?? raw
          return String(Number.parseFloat(n.toPrecision(15)))
        }
      }
    },
  }
}

function allText(node: XmlNode): string {
  if (tagOf(node) === '#text') return textNodeValue(node) ?? ''
  return childrenOf(node).map(allText).join('')
}

/** The text of an `si` or `is` element: its `t`, or its runs' `t`s; phonetic guides (`rPh`) left out. */
function richText(node: XmlNode | undefined): string {
  if (!node) return ''
  let text = ''
  for (const child of childrenOf(node)) {
    const tag = tagOf(child)
    if (tag === 't') text += allText(child)
    else if (tag === 'r') text += collectDeep(childrenOf(child), 't').map(allText).join('')
  }
  return text
}

function readSharedStrings(pkg: OoxmlPackage, part: string): string[] {
  const strings: string[] = []
  readXmlPartInBatches(pkg, part, 'sst', (items) => {
    for (const si of childrenNamed(items, 'si')) strings.push(richText(si))
  })
  return strings
}

/** Built-in number formats that show dates or times (ECMA-376 §18.8.30). */
const BUILT_IN_DATE_FORMATS = new Set([14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57])

/** Indexes into `cellXfs` whose number format is a date or time. */
function readDateStyles(pkg: OoxmlPackage, part: string): Set<number> {
  const root = childrenOf(firstNamed(readXmlPart(pkg, part) ?? [], 'styleSheet') ?? {})
  const custom = new Map<number, string>()
  for (const fmt of childrenNamed(childrenOf(firstNamed(root, 'numFmts') ?? {}), 'numFmt')) {
    custom.set(Number(attrOf(fmt, 'numFmtId')), attrOf(fmt, 'formatCode') ?? '')
  }
  const dates = new Set<number>()
  childrenNamed(childrenOf(firstNamed(root, 'cellXfs') ?? {}), 'xf').forEach((xf, index) => {
    const id = Number(attrOf(xf, 'numFmtId') ?? 0)
    const code = custom.get(id)
    if (code !== undefined ? isDateFormat(code) : BUILT_IN_DATE_FORMATS.has(id)) dates.add(index)
  })
  return dates
}

/** A format code shows a date if, outside quotes, brackets and escapes, it uses d, m, y, h or s. */
export function isDateFormat(code: string): boolean {
  const bare = code
    .replace(/"[^"]*"/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\\./g, '')
    .replace(/_.|\*./g, '')
  return /[dmyhs]/i.test(bare) && !/^[#0.,%\s]*$/.test(bare) && !/general/i.test(bare)
}

const DAY_MS = 86_400_000

/** Excel serial day → ISO date (with time when there is one); 1900 system with its leap-year bug. */
export function serialToDate(serial: number, date1904: boolean): string | undefined {
  if (serial < 0 || serial > 2_958_465) return undefined
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : Date.UTC(1899, 11, 30)
  const days = !date1904 && serial < 61 ? serial + 1 : serial
  const ms = Math.round((days * DAY_MS) / 1000) * 1000
  const iso = new Date(epoch + ms).toISOString()
  const [date, time] = [iso.slice(0, 10), iso.slice(11, 19)]
  if (serial < 1 && !date1904) return time
  return time === '00:00:00' ? date : `${date} ${time}`
}
