/**
 * @module Office charts (DrawingML chart parts) read from their cached values: the title and a
 * table with one row per category and one column per series, the numbers a reader would see.
 */
import { childrenNamed, childrenOf, collectDeep, findDeep, firstNamed, readXmlPart, tagOf, textNodeValue, type OoxmlPackage, type XmlNode } from './ooxml'

export type ChartContent = { title: string; grid: string[][] }

export function readChart(pkg: OoxmlPackage, part: string): ChartContent | undefined {
  const root = readXmlPart(pkg, part)
  if (!root) return undefined
  const chart = findDeep(root, 'c:chart')
  if (!chart) return undefined
  const titleNode = firstNamed(childrenOf(chart), 'c:title')
  const title = titleNode ? collectDeep([titleNode], 'a:t').map(allText).join('').trim() : ''

  const series = collectDeep(childrenOf(chart), 'c:ser')
  const names: string[] = []
  const columns: string[][] = []
  let categories: string[] = []
  for (const [i, ser] of series.entries()) {
    const parts = childrenOf(ser)
    const tx = firstNamed(parts, 'c:tx')
    names.push(tx ? (cachedPoints(tx)[0] ?? collectDeep([tx], 'c:v').map(allText).join('')) : `Series ${i + 1}`)
    const cat = firstNamed(parts, 'c:cat') ?? firstNamed(parts, 'c:xVal')
    const val = firstNamed(parts, 'c:val') ?? firstNamed(parts, 'c:yVal')
    if (cat && categories.length === 0) categories = cachedPoints(cat)
    columns.push(val ? cachedPoints(val) : [])
  }
  const length = Math.max(categories.length, ...columns.map((c) => c.length), 0)
  if (!names.length || length === 0) return title ? { title, grid: [] } : undefined
  const grid: string[][] = [['', ...names]]
  for (let row = 0; row < length; row++) grid.push([categories[row] ?? String(row + 1), ...columns.map((c) => c[row] ?? '')])
  return { title, grid }
}

/** Values of a `c:strCache`/`c:numCache` (first level of a multi-level one), placed by `idx`. */
function cachedPoints(node: XmlNode): string[] {
  const cache =
    findDeep([node], 'c:strCache') ?? findDeep([node], 'c:numCache') ?? findDeep([node], 'c:lvl') ?? findDeep([node], 'c:strLit') ?? findDeep([node], 'c:numLit')
  if (!cache) return []
  const points: string[] = []
  for (const pt of childrenNamed(childrenOf(cache), 'c:pt')) {
    const idx = Number((pt[':@'] as Record<string, string> | undefined)?.idx ?? points.length)
    if (!Number.isInteger(idx) || idx < 0 || idx > 100_000) continue
    points[idx] = childrenNamed(childrenOf(pt), 'c:v').map(allText).join('')
  }
  return Array.from(points, (p) => p ?? '')
}

function allText(node: XmlNode): string {
  if (tagOf(node) === '#text') return textNodeValue(node) ?? ''
  return childrenOf(node).map(allText).join('')
}
