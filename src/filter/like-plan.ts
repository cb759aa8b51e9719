/**
 * @module A `like` pattern cut into pieces SQLite accepts: D1 refuses LIKE patterns over 50 bytes, so a
 * longer one is matched piece by piece (see `LIKE_MATCHES_CTE` in to-sql-like.ts), with the same answer.
 *
 * The pattern is split at its `%`s into segments of fixed length (characters and `_`). The first segment
 * is anchored at the start of the value and the last at its end (unless the pattern starts or ends with
 * `%`); the segments between are found left-most, in order, each after the one before. Left-most is
 * never wrong: a segment found earlier leaves more of the value for the ones after it. A segment is
 * tested at a known position as `substr(value, position + offset, length) LIKE piece` for each of its
 * pieces, every piece at most `MAX_LIKE_PATTERN_BYTES` with its escapes kept whole.
 */
import { MAX_LIKE_PATTERN_BYTES } from './limits'

/** `[offset, length, pattern]`: characters from `offset` (0-based, within its segment) must match `pattern`. */
export type LikePiece = [offset: number, length: number, pattern: string]

/** A segment between two `%`s: its length in characters and its pieces. */
export type LikeSegment = [length: number, pieces: LikePiece[]]

/**
 * How SQL matches a long pattern. `a` holds the anchored pieces: a positive offset is 1-based from
 * the start (the first segment), a negative one counts from the end (the last segment), as `substr` reads them.
 */
export type LongLikePlan = {
  /** Characters the value needs at least (anchored segments and the segments between). */
  n: number
  /** Whether the pattern has no `%`, so the value has exactly `n` characters. */
  x: 0 | 1
  /** Length of the segment anchored at the start (0 when the pattern starts with `%`). */
  h: number
  /** Length of the segment anchored at the end (0 when the pattern ends with `%`). */
  t: number
  a: LikePiece[]
  /** The segments between the first `%` and the last, in order. */
  m: LikeSegment[]
}

type Item = { kind: 'one' } | { kind: 'char'; text: string }

const utf8 = new TextEncoder()
const bytes = (text: string) => utf8.encode(text).length

/**
 * The pattern itself when SQLite takes it whole, else the plan to match it in pieces.
 * @example likePlan('%hegel%') // '%hegel%'
 */
export function likePlan(pattern: string): string | LongLikePlan {
  if (bytes(pattern) <= MAX_LIKE_PATTERN_BYTES) return pattern
  const segments = splitAtPercent(pattern)
  const exact = segments.length === 1
  // An empty first or last segment is a pattern that starts or ends with `%`: nothing is anchored there.
  const head = segments.shift()!
  const tail = exact ? [] : segments.pop()!
  const middle = segments.filter((segment) => segment.length > 0)
  const anchored = [
    ...pieces(head).map(([offset, length, text]): LikePiece => [offset + 1, length, text]),
    ...pieces(tail).map(([offset, length, text]): LikePiece => [offset - tail.length, length, text]),
  ]
  return {
    n: head.length + tail.length + middle.reduce((sum, segment) => sum + segment.length, 0),
    x: exact ? 1 : 0,
    h: head.length,
    t: tail.length,
    a: anchored,
    m: middle.map((segment) => [segment.length, pieces(segment)]),
  }
}

/** The segments between unescaped `%`s; runs of `%` give empty segments. */
function splitAtPercent(pattern: string): Item[][] {
  const segments: Item[][] = [[]]
  const chars = Array.from(pattern)
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === '%') segments.push([])
    else if (c === '_') segments.at(-1)!.push({ kind: 'one' })
    else {
      // The parser refuses a pattern that ends in a backslash, so `chars[i + 1]` exists.
      const literal = c === '\\' ? chars[++i]! : c
      segments.at(-1)!.push({ kind: 'char', text: literal })
    }
  }
  return segments
}

/** A segment as LIKE patterns of at most `MAX_LIKE_PATTERN_BYTES`, wildcards in its literals escaped. */
function pieces(segment: readonly Item[]): LikePiece[] {
  const out: LikePiece[] = []
  let start = 0
  let text = ''
  let size = 0
  segment.forEach((item, i) => {
    const piece = item.kind === 'one' ? '_' : /[%_\\]/.test(item.text) ? `\\${item.text}` : item.text
    const pieceBytes = bytes(piece)
    if (size + pieceBytes > MAX_LIKE_PATTERN_BYTES) {
      out.push([start, i - start, text])
      start = i
      text = ''
      size = 0
    }
    text += piece
    size += pieceBytes
  })
  if (segment.length > start) out.push([start, segment.length - start, text])
  return out
}
