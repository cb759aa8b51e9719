/**
 * @module Which keys (or URL paths) a source reads: its include and exclude globs, matched with
 * picomatch over the whole key. A key passes when no include is given or one matches, and no exclude
 * matches; `**\/` also matches nothing, so `**\/*.pdf` takes a PDF at the top as well as below.
 */
// The POSIX build: keys are always '/'-separated, whatever platform the matcher thinks it runs on.
import picomatch from 'picomatch/posix'

/**
 * @example
 * const passes = keyFilter(['reports/**\/*.pdf'], ['**\/draft-*'])
 * passes('reports/2024/q1.pdf') // true
 */
export function keyFilter(include: string[], exclude: string[]): (key: string) => boolean {
  // Object keys are not shell paths: a leading dot hides nothing, so `*` matches `.env` too.
  const options = { dot: true }
  const included = include.length ? picomatch(include, options) : () => true
  const excluded = exclude.length ? picomatch(exclude, options) : () => false
  return (key) => included(key) && !excluded(key)
}
