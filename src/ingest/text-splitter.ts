/**
 * @module Splits one run of text into token-bounded spans: at blank lines first, then line
 * breaks, sentences, words, and characters as the last resort; consecutive spans share an
 * overlap that starts on a word boundary.
 */
import { charWeight } from './token-estimate'

/** A `[start, end)` range of the text, with its estimated weight in tokens. */
export type Span = { start: number; end: number; weight: number }

const SEPARATORS: readonly RegExp[] = [
  /\n[^\S\n]*\n\s*/g, // blank line: paragraphs
  /\n\s*/g, // line break
  /(?<=[.!?;:…])\s+|(?<=[。！？；])/g, // sentence end
  /\s+/g, // word
]

export function weightOf(text: string, start = 0, end = text.length): number {
  let weight = 0
  for (let i = start; i < end; i++) weight += charWeight(text[i]!)
  return weight
}

/** Pieces of `text[start, end)` of at most `max` tokens each, cut at the coarsest boundary that works. */
export function atomize(text: string, max: number, start = 0, end = text.length, level = 0): Span[] {
  const weight = weightOf(text, start, end)
  if (weight <= max) return weight > 0 ? [{ start, end, weight }] : []
  const separator = SEPARATORS[level]
  if (!separator) return hardSplit(text, max, start, end)
  const pieces: [number, number][] = []
  let from = start
  separator.lastIndex = 0
  const slice = text.slice(start, end)
  for (const match of slice.matchAll(separator)) {
    const at = start + match.index
    if (at > from) pieces.push([from, at])
    from = at + match[0].length
  }
  if (from < end) pieces.push([from, end])
  if (pieces.length <= 1) return atomize(text, max, start, end, level + 1)
  return pieces.flatMap(([s, e]) => atomize(text, max, s, e, level + 1))
}

function hardSplit(text: string, max: number, start: number, end: number): Span[] {
  const spans: Span[] = []
  let from = start
  let weight = 0
  for (let i = start; i < end; i++) {
    const w = charWeight(text[i]!)
    // Never split a surrogate pair.
    const pairStart = i > from && text.charCodeAt(i) >= 0xdc00 && text.charCodeAt(i) <= 0xdfff
    if (weight + w > max && i > from && !pairStart) {
      spans.push({ start: from, end: i, weight })
      from = i
      weight = 0
    }
    weight += w
  }
  if (from < end && weight > 0) spans.push({ start: from, end, weight })
  return spans
}

/**
 * Packs spans into chunks of at most `max` tokens; each chunk after the first begins with up to
 * `overlap` tokens from the end of the one before, cut at a word boundary.
 */
export function packSpans(text: string, units: readonly Span[], max: number, overlap: number): Span[] {
  const chunks: Span[] = []
  let carry: Span | undefined
  let i = 0
  while (i < units.length) {
    const first = units[i]!
    let start = first.start
    let weight = first.weight
    if (carry && carry.weight + first.weight <= max) {
      start = carry.start
      weight += carry.weight
    }
    let end = first.end
    let j = i + 1
    for (; j < units.length && weight + units[j]!.weight <= max; j++) {
      weight += units[j]!.weight
      end = units[j]!.end
    }
    chunks.push({ start, end, weight })
    carry = j < units.length && overlap > 0 ? tail(text, start, end, overlap) : undefined
    i = j
  }
  return chunks
}

/** The longest suffix of `text[start, end)` starting after whitespace and weighing at most `budget`. */
function tail(text: string, start: number, end: number, budget: number): Span | undefined {
  let weight = 0
  let best: Span | undefined
  for (let p = end - 1; p > start; p--) {
    weight += charWeight(text[p]!)
    if (weight > budget) break
    if (/\s/.test(text[p - 1]!)) best = { start: p, end, weight }
  }
  return best
}
