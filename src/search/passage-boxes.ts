/**
 * @module Where a passage (a chunk's text, a quote from it) stands on its page: found in the page's
 * layout by its characters, whitespace, hyphens and case aside, then drawn as a few rectangles — one
 * per line, lines of one paragraph block joined — in normalised page coordinates.
 */
import { round4, type Box, type LayoutItem, type PageLayout } from './page-layout'

/**
 * The page's characters as compared: no whitespace (chunk text has it tidied, pdf.js puts it
 * anywhere), no hyphens (a word broken across lines reads either way), compatibility forms
 * (ligatures) spelled out, lower case. Each compared character remembers its item and offset.
 */
type PageKey = { key: string; item: Int32Array; offset: Int32Array }

const SKIPPED = /[\s\-\u00ad\u2010\u2011]/

function keyOf(text: string): string {
  let key = ''
  for (const c of text) if (!SKIPPED.test(c)) key += c.normalize('NFKC').toLowerCase()
  return key
}

function pageKey(items: readonly LayoutItem[]): PageKey {
  let key = ''
  const item: number[] = []
  const offset: number[] = []
  items.forEach(({ text }, i) => {
    let at = 0
    for (const c of text) {
      if (!SKIPPED.test(c)) {
        const k = c.normalize('NFKC').toLowerCase()
        key += k
        for (let n = 0; n < k.length; n++) {
          item.push(i)
          offset.push(at)
        }
      }
      at += c.length
    }
  })
  return { key, item: Int32Array.from(item), offset: Int32Array.from(offset) }
}

/**
 * The passage's place in the key: exactly, else by its two ends when only its middle differs
 * (a character repaired, a few words cut), the span no more than half again as long or short.
 */
function find(key: string, want: string, from = 0, to = key.length): [number, number] | null {
  const scope = key.slice(from, to)
  const at = scope.indexOf(want)
  if (at >= 0) return [from + at, from + at + want.length]
  const n = Math.min(48, Math.floor(want.length / 3))
  if (n < 12) return null
  const head = scope.indexOf(want.slice(0, n))
  if (head < 0) return null
  const tail = scope.indexOf(want.slice(-n), head + n)
  if (tail < 0) return null
  const span = tail + n - head
  return span <= want.length * 1.5 && span >= want.length / 1.5 ? [from + head, from + tail + n] : null
}

type Rect = { x0: number; y0: number; x1: number; y1: number }

/** The part of an item's box its characters `from..to` take, by their share of the item's characters. */
function sliceOf({ text, box }: LayoutItem, from: number, to: number): Rect | null {
  if (!box) return null
  // Whitespace after the item's characters was added to it and is not drawn (pdf-layout.ts).
  const length = Math.max(1, text.trimEnd().length)
  const a = Math.min(from, length) / length
  const b = Math.max(Math.min(to, length) / length, a)
  // A column of characters (vertical text) is cut top to bottom, anything else left to right.
  if (box.h > box.w * 2 && length > 1) return { x0: box.x, x1: box.x + box.w, y0: box.y + a * box.h, y1: box.y + b * box.h }
  return { x0: box.x + a * box.w, x1: box.x + b * box.w, y0: box.y, y1: box.y + box.h }
}

const height = (r: Rect) => r.y1 - r.y0
const overlapY = (a: Rect, b: Rect) => Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0)

/** How far a slice may start left of the previous one's end and still continue its line (kerning, overlapping runs). */
const BACKSTEP = 0.01

/** Slices of one line, left to right, are one rectangle; a slice that goes back or down starts another. */
function lines(slices: readonly Rect[]): Rect[] {
  const out: Rect[] = []
  for (const s of slices) {
    const last = out[out.length - 1]
    if (last && overlapY(last, s) >= 0.5 * Math.min(height(last), height(s)) && s.x0 >= last.x1 - BACKSTEP) {
      last.x1 = Math.max(last.x1, s.x1)
      last.y0 = Math.min(last.y0, s.y0)
      last.y1 = Math.max(last.y1, s.y1)
    } else out.push({ ...s })
  }
  return out
}

/**
 * Lines join the block above them when their left edges align and they are no more than a line
 * apart; their right edges may differ by up to `RAGGED` (a ragged paragraph), as widening a line
 * that ends where its text ends covers only blank page. The passage's last line may end mid-line,
 * before words it does not hold: it joins only a block no wider than itself (`SHORTER` aside).
 */
const ALIGNED = 0.01
const RAGGED = 0.3
const SHORTER = 0.02

/** Lines of a paragraph under one another joined into one rectangle, so a passage is a few rectangles, not one per line. */
function blocks(rects: readonly Rect[]): Rect[] {
  const out: Rect[] = []
  rects.forEach((r, i) => {
    const last = out[out.length - 1]
    const gap = last ? r.y0 - last.y1 : Infinity
    const longer = last ? r.x1 - last.x1 : 0
    const fits = i === rects.length - 1 ? longer >= -SHORTER && longer <= RAGGED : Math.abs(longer) <= RAGGED
    if (last && Math.abs(r.x0 - last.x0) <= ALIGNED && fits && gap >= -0.5 * height(r) && gap <= height(r)) {
      last.x1 = Math.max(last.x1, r.x1)
      last.y1 = Math.max(last.y1, r.y1)
    } else out.push({ ...r })
  })
  return out
}

/**
 * The rectangles that cover `passage` on the page, or null where the page's text does not hold it
 * (a description a vision model wrote, text from another page). With `within` (the chunk a quote
 * comes from), the quote is looked for inside that chunk first, so a phrase the page repeats is
 * drawn where it was cited.
 * @example passageBoxes(layout, 'Net sales increased 31%') // [{ x: 0.1176, y: 0.4203, w: 0.2514, h: 0.0152 }]
 */
export function passageBoxes(layout: PageLayout, passage: string, within?: string): Box[] | null {
  const want = keyOf(passage)
  if (want.length === 0) return null
  const page = pageKey(layout.items)
  const context = within ? find(page.key, keyOf(within)) : null
  const span = (context && find(page.key, want, context[0], context[1])) ?? find(page.key, want)
  if (!span) return null
  const [start, end] = span
  const slices: Rect[] = []
  const first = page.item[start]!
  const last = page.item[end - 1]!
  for (let i = first; i <= last; i++) {
    const item = layout.items[i]!
    const from = i === first ? page.offset[start]! : 0
    const to = i === last ? page.offset[end - 1]! + 1 : item.text.length
    const slice = sliceOf(item, from, to)
    if (slice && slice.x1 > slice.x0 && slice.y1 > slice.y0) slices.push(slice)
  }
  if (slices.length === 0) return null
  return blocks(lines(slices)).map((r) => ({ x: round4(r.x0), y: round4(r.y0), w: round4(r.x1 - r.x0), h: round4(r.y1 - r.y0) }))
}
