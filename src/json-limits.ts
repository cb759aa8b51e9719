/**
 * @module How large and how deeply nested the JSON Cairn accepts may be: request bodies, and file
 * metadata (at upload, in a metadata update). One place, so the docs and the checks agree.
 *
 * Why depth matters: `JSON.stringify`, zod and the Drizzle/D1 path all recurse, and SQLite's JSON
 * functions refuse documents nested more than 1,000 levels, so stored metadata that deep would break
 * every filter over its workspace. The limits sit far above anything real: a chat request is nested
 * about 6 levels (messages → content → part → image_url → url) and metadata rarely more than 4.
 * Filter expressions are bounded by the filter language's own limits (src/filter/limits.ts).
 */

export const JSON_LIMITS = {
  /** A JSON request body, in bytes; images inlined as data URLs are the largest. */
  bodyBytes: 16 * 1024 * 1024,
  /** Levels of `{}`/`[]` in a JSON request body, the outermost counting as one. */
  bodyDepth: 64,
  /** A file's metadata as stored (JSON text, UTF-8 bytes). */
  metadataBytes: 16 * 1024,
  /** Levels of `{}`/`[]` in a file's metadata, the metadata object itself counting as one. */
  metadataDepth: 32,
} as const

/**
 * The nesting depth of JSON text, counted without parsing (so without recursion), stopping as soon as
 * it passes `max`. Brackets inside strings do not count; the text need not be valid JSON.
 * @example jsonTextDepth('{"a": [1, {"b": "]"}]}') // 3
 */
export function jsonTextDepth(text: string, max = Infinity): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // a backslash escapes the next character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest) {
        deepest = depth
        if (deepest > max) return deepest
      }
    } else if (c === 0x7d || c === 0x5d) depth--
  }
  return deepest
}

/**
 * The nesting depth of a parsed value (a scalar is 0), walked with a stack, stopping as soon as it passes `max`.
 * @example jsonValueDepth({ a: [1, { b: 2 }] }) // 3
 */
export function jsonValueDepth(value: unknown, max = Infinity): number {
  let deepest = 0
  const stack: Array<[unknown, number]> = [[value, 1]]
  while (stack.length > 0) {
    const [item, depth] = stack.pop()!
    if (item === null || typeof item !== 'object') continue
    if (depth > deepest) {
      deepest = depth
      if (deepest > max) return deepest
    }
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1])
  }
  return deepest
}

/** The sentence for metadata nested too deeply; `field` is how the request names it. */
export const metadataTooDeep = (field: string) =>
  `${field} is nested more than ${JSON_LIMITS.metadataDepth} levels deep; flatten it (at most ${JSON_LIMITS.metadataDepth} levels of objects and lists, the metadata object counting as one).`
