/**
 * @module The bounds on a filter expression: the four of filter.md, and SQLite's own limits that the
 * compiled queries must respect, so a valid filter can never make a store fail.
 */

export const FILTER_LIMITS = {
  /** Characters (code points) in the whole expression. */
  characters: 16_384,
  /** Parentheses and `not`s open at once. */
  nesting: 64,
  /** Values in one `[…]` list. */
  listItems: 1_000,
  /** Conditions (`path op value`, `in`, `like`, `is null`) in the whole expression. */
  conditions: 256,
} as const

/**
 * The largest array index a path may hold. SQLite reads JSON path indexes as 32-bit unsigned
 * numbers and wraps past them (`$[4294967296]` is `$[0]`), so larger indexes are refused.
 */
export const MAX_PATH_INDEX = 2_147_483_647

/**
 * D1 refuses LIKE patterns longer than this many UTF-8 bytes (its SQLITE_LIMIT_LIKE_PATTERN_LENGTH).
 * Longer patterns are not refused: the SQL compiler matches them in pieces of at most this size.
 */
export const MAX_LIKE_PATTERN_BYTES = 50
