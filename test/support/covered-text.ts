/**
 * What a set of boxes covers on a page, read from the page's layout: the characters whose middle
 * lies inside a box, for checking that boxes sit over the words they claim to. Tokens are compared as
 * lower-case runs of letters and digits.
 */
import type { Box, PageLayout } from '../../src/search/page-layout'

export function coveredText(layout: PageLayout, boxes: readonly Box[]): string {
  const inside = (x: number, y: number) => boxes.some((b) => x >= b.x - 1e-4 && x <= b.x + b.w + 1e-4 && y >= b.y - 1e-4 && y <= b.y + b.h + 1e-4)
  let text = ''
  let adjacent = false
  for (const { text: itemText, box } of layout.items) {
    const length = itemText.trimEnd().length
    for (let k = 0; k < itemText.length; k++) {
      // Each character at its share of the item's width (the same estimate a partial item is cut by).
      const hit = box !== null && k < length && inside(box.x + ((k + 0.5) / length) * box.w, box.y + box.h / 2)
      if (hit) text += (adjacent ? '' : ' ') + itemText[k]
      adjacent = hit
    }
  }
  return text
}

export const tokens = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []

/** The share of `want`'s tokens (with repeats) found among `got`'s. */
export function tokenRecall(want: string, got: string): number {
  const have = new Map<string, number>()
  for (const t of tokens(got)) have.set(t, (have.get(t) ?? 0) + 1)
  const needed = tokens(want)
  if (needed.length === 0) return 1
  let found = 0
  for (const t of needed) {
    const n = have.get(t) ?? 0
    if (n > 0) {
      found++
      have.set(t, n - 1)
    }
  }
  return found / needed.length
}
