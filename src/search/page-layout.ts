/**
 * @module Where the text of one PDF page stands: its text items in reading order, each with its box
 * in normalised page coordinates, and the compact JSON ingestion stores them as and search reads.
 *
 * Coordinates are fractions of the page as it is shown (rotation and crop box applied): 0..1, origin
 * top-left, x to the right, y downwards, rounded to 4 decimals (a tenth of a point on a Letter page).
 */

/** A rectangle on a page, as fractions of its width and height, origin top-left. */
export type Box = { x: number; y: number; w: number; h: number }

/**
 * One text item. Joining every item's `text` gives the page's text before it is tidied (one item
 * ends with `\n` where pdf.js said a line ends), so chunk text, a slice of the tidied page text, can
 * be found in it again. `box` covers the item's own characters; whitespace after them is not drawn.
 * Null where the item has no extent (a line break alone, a zero-width run).
 */
export type LayoutItem = { text: string; box: Box | null }

export type PageLayout = { items: LayoutItem[] }

/** The stored format's version; a layout of another version reads as none. */
const VERSION = 1

/** Rounds a coordinate to 4 decimals. */
export const round4 = (n: number) => Math.round(n * 1e4) / 1e4

/**
 * `{"v":1,"items":[["text",x,y,w,h],["\n"]]}`: an item without a box is its text alone.
 * @example encodePageLayout({ items: [{ text: 'Total revenue\n', box: { x: 0.1, y: 0.2, w: 0.3, h: 0.0152 } }] })
 */
export function encodePageLayout(layout: PageLayout): string {
  const items = layout.items.map(({ text, box }) => (box ? [text, round4(box.x), round4(box.y), round4(box.w), round4(box.h)] : [text]))
  return JSON.stringify({ v: VERSION, items })
}

/** The layout a stored text holds, or null for anything else (another version, damage). */
export function decodePageLayout(json: string): PageLayout | null {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null) return null
  const { v, items } = value as { v?: unknown; items?: unknown }
  if (v !== VERSION || !Array.isArray(items)) return null
  const out: LayoutItem[] = []
  for (const item of items) {
    if (!Array.isArray(item) || typeof item[0] !== 'string') return null
    if (item.length === 1) {
      out.push({ text: item[0], box: null })
      continue
    }
    const [x, y, w, h] = item.slice(1) as unknown[]
    if (![x, y, w, h].every((n) => typeof n === 'number' && Number.isFinite(n))) return null
    out.push({ text: item[0], box: { x: x as number, y: y as number, w: w as number, h: h as number } })
  }
  return { items: out }
}
