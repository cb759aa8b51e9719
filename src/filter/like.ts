/**
 * @module `like` as SQLite's LIKE … ESCAPE '\' does it: `%` any run, `_` one character, a backslash
 * makes the next character literal, ASCII letters match either case and every other character only itself.
 */

type Item = { kind: 'any' } | { kind: 'one' } | { kind: 'char'; code: number }

/** Folds what SQLite folds, ASCII A–Z, and nothing else (so `É` never matches `é`). */
const fold = (code: number) => (code >= 0x41 && code <= 0x5a ? code + 0x20 : code)

const codePoints = (text: string): number[] => Array.from(text, (c) => fold(c.codePointAt(0)!))

/**
 * A matcher for one pattern. It backtracks only to the last `%`, so a value of n characters and a
 * pattern of m take at most n·m steps whatever the pattern.
 * @example likeMatcher('100\\%')('100%') // true
 */
export function likeMatcher(pattern: string): (value: string) => boolean {
  const items: Item[] = []
  const chars = Array.from(pattern)
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === '%') items.push({ kind: 'any' })
    else if (c === '_') items.push({ kind: 'one' })
    else if (c === '\\') {
      const next = chars[++i]
      // SQLite never matches a pattern that ends in its escape character.
      if (next === undefined) return () => false
      items.push({ kind: 'char', code: fold(next.codePointAt(0)!) })
    } else items.push({ kind: 'char', code: fold(c.codePointAt(0)!) })
  }
  return (value) => matches(items, codePoints(value))
}

function matches(pattern: readonly Item[], value: readonly number[]): boolean {
  let p = 0
  let v = 0
  let star = -1
  let starValue = 0
  while (v < value.length) {
    const item = pattern[p]
    if (item && (item.kind === 'one' || (item.kind === 'char' && item.code === value[v]))) {
      p++
      v++
    } else if (item?.kind === 'any') {
      star = p++
      starValue = v
    } else if (star !== -1) {
      p = star + 1
      v = ++starValue
    } else return false
  }
  while (pattern[p]?.kind === 'any') p++
  return p === pattern.length
}

/**
 * What would be right instead, for a pattern that could never match; undefined when it is fine.
 * Length is no fault: the SQL compiler matches patterns longer than D1's LIKE accepts in pieces.
 */
export function likePatternFault(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== '\\') continue
    if (i + 1 === pattern.length) return 'a character after the last backslash of the like pattern (a backslash makes the next character literal)'
    i++
  }
  return undefined
}
