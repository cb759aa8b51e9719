/**
 * @module A PDF page's layout from the text items pdf.js reads: each item's string and its box on the
 * page as shown (search/page-layout.ts), within a per-page size cap, so a citation can be drawn where
 * its words stand. Built from the same items, in the same order, as the page's text (pdf.ts).
 */
import { encodePageLayout, type Box, type LayoutItem } from '../../search/page-layout'

/** A text item as pdf.js gives it: its string, text-space matrix (PDF user space), advance and font height. */
export type TextRun = { str: string; transform: number[]; width: number; height: number; hasEOL: boolean }

/** The page as shown at scale 1: its size in points, and the matrix from PDF user space to it. */
export type PageView = { width: number; height: number; transform: number[] }

/**
 * Where glyphs reach below and above the baseline, as fractions of the font size: enough to cover
 * descenders and most capitals, not so much that one line's box covers the next.
 */
const DESCENT = 0.2
const ASCENT = 0.8

/** Fewest characters one run can take stored (`["x"],` and no box); more runs than the cap allows for cannot fit. */
const MIN_RUN_CHARS = 6

/**
 * The page's layout as stored JSON, or null where it holds no positioned text or stays over
 * `maxChars` even with each line's runs joined into one item (a page of single glyphs, say).
 * What it builds is bounded by `maxChars`, not by the page.
 * @example pageLayoutJson(content.items.filter((i) => 'str' in i), page.getViewport({ scale: 1 }), 256_000)
 */
export function pageLayoutJson(runs: readonly TextRun[], view: PageView, maxChars: number): string | null {
  // The stored form holds every character and about 40 more a run: a page that cannot fit is given
  // up before anything is built, so a page near the text budget costs no second copy of itself.
  let chars = 0
  for (const run of runs) chars += run.str.length
  if (chars > maxChars || runs.length > maxChars / MIN_RUN_CHARS) return null
  const items = layoutItems(runs, view)
  if (!items.some((item) => item.box)) return null
  const json = encodePageLayout({ items })
  if (json.length <= maxChars) return json
  const joined = encodePageLayout({ items: joinLines(items) })
  return joined.length <= maxChars ? joined : null
}

/** The items of a page: a run of whitespace, or a line end alone, is added to the item before it. */
export function layoutItems(runs: readonly TextRun[], view: PageView): LayoutItem[] {
  const items: LayoutItem[] = []
  for (const run of runs) {
    const text = run.str + (run.hasEOL ? '\n' : '')
    if (text === '') continue
    const last = items[items.length - 1]
    if (last && run.str.trim() === '') {
      last.text += text
      continue
    }
    items.push({ text, box: run.str.trim() === '' ? null : boxOf(run, view) })
  }
  return items
}

/** The run's box on the page as shown: its quad (advance × font height, rotated with its matrix), bounded. */
function boxOf(run: TextRun, view: PageView): Box | null {
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0] = run.transform
  const along = Math.hypot(a, b)
  const up = Math.hypot(c, d)
  if (!(run.width > 0) || !(run.height > 0) || along === 0 || up === 0 || !(view.width > 0) || !(view.height > 0)) return null
  const ux = (a / along) * run.width
  const uy = (b / along) * run.width
  const vx = (c / up) * run.height
  const vy = (d / up) * run.height
  const ox = e - vx * DESCENT
  const oy = f - vy * DESCENT
  const corners: Array<[number, number]> = [
    [ox, oy],
    [ox + ux, oy + uy],
    [ox + vx * (DESCENT + ASCENT), oy + vy * (DESCENT + ASCENT)],
    [ox + ux + vx * (DESCENT + ASCENT), oy + uy + vy * (DESCENT + ASCENT)],
  ]
  const [A = 1, B = 0, C = 0, D = 1, E = 0, F = 0] = view.transform
  let x0 = Infinity
  let y0 = Infinity
  let x1 = -Infinity
  let y1 = -Infinity
  for (const [x, y] of corners) {
    const sx = (A * x + C * y + E) / view.width
    const sy = (B * x + D * y + F) / view.height
    x0 = Math.min(x0, sx)
    y0 = Math.min(y0, sy)
    x1 = Math.max(x1, sx)
    y1 = Math.max(y1, sy)
  }
  x0 = clamp(x0)
  y0 = clamp(y0)
  x1 = clamp(x1)
  y1 = clamp(y1)
  if (!(x1 > x0) || !(y1 > y0)) return null
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 }
}

const clamp = (n: number) => Math.min(1, Math.max(0, n))

/**
 * Consecutive items on one line joined into one: fewer, coarser items (a character's place within
 * a joined item is then estimated over the whole line).
 */
function joinLines(items: readonly LayoutItem[]): LayoutItem[] {
  const out: LayoutItem[] = []
  for (const item of items) {
    const last = out[out.length - 1]
    if (last?.box && item.box && !last.text.endsWith('\n') && sameLine(last.box, item.box) && item.box.x >= last.box.x) {
      const x1 = Math.max(last.box.x + last.box.w, item.box.x + item.box.w)
      const y0 = Math.min(last.box.y, item.box.y)
      const y1 = Math.max(last.box.y + last.box.h, item.box.y + item.box.h)
      last.box = { x: last.box.x, y: y0, w: x1 - last.box.x, h: y1 - y0 }
      last.text += item.text
    } else if (last && !item.box) last.text += item.text
    else out.push({ text: item.text, box: item.box && { ...item.box } })
  }
  return out
}

function sameLine(a: Box, b: Box): boolean {
  const overlap = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y)
  return overlap >= 0.5 * Math.min(a.h, b.h)
}
