/**
 * @module The filter language's errors: where the fault is, what was expected and what was found.
 * They know nothing of HTTP; the API maps them to a 422 whose `param` names the filter's field.
 */

/** A filter expression that cannot be read. The message is meant for the person who wrote it. */
export class FilterSyntaxError extends Error {
  override readonly name: string = 'FilterSyntaxError'
  /** 1-based column over the whole expression, counted in characters (code points). */
  readonly column: number

  constructor(
    /** What would have been right at that point, e.g. `a value`. */
    readonly expected: string,
    /** What was there instead, e.g. `end of input`. */
    readonly found: string,
    /** 0-based offset into the expression (in UTF-16 code units, as JavaScript indexes strings). */
    readonly position: number,
    text: string,
  ) {
    const column = columnAt(text, position)
    super(`filter: expected ${expected}, found ${found} at column ${column}`)
    this.column = column
  }
}

/** The limits in filter.md, by the name a message uses for them. */
export type FilterLimit = 'characters' | 'levels of nesting' | 'items in a list' | 'conditions'

/** An expression beyond one of the language's limits; its message names the limit. */
export class FilterLimitError extends FilterSyntaxError {
  override readonly name: string = 'FilterLimitError'

  constructor(
    readonly limit: FilterLimit,
    readonly max: number,
    found: string,
    position: number,
    text: string,
  ) {
    super(`at most ${max} ${limit}`, found, position, text)
  }
}

/**
 * The 1-based column of `position` in `text`: characters are code points, so a surrogate pair counts
 * once; a newline is a character like any other; the end of input is one past the last character.
 */
export function columnAt(text: string, position: number): number {
  let column = 1
  const end = Math.min(position, text.length)
  for (let i = 0; i < end; i++) {
    const unit = text.charCodeAt(i)
    // The low half of a pair was counted with its high half.
    if (unit >= 0xdc00 && unit <= 0xdfff && i > 0) {
      const previous = text.charCodeAt(i - 1)
      if (previous >= 0xd800 && previous <= 0xdbff) continue
    }
    column++
  }
  return column + Math.max(0, position - text.length)
}
