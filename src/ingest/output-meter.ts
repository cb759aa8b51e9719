/**
 * @module Meters what a parser produces, as it produces it: characters of text (provenance included)
 * and segments. The input caps count what a file holds (compressed bytes, XML bytes); this counts
 * what it expands to, so a 100 KB spreadsheet whose one long shared string fills 30,000 cells stops
 * at the budget, with a sentence, instead of at the isolate's memory.
 */
import { LimitExceededError } from './errors'
import { formatCount, type Limits } from './limits'

export type OutputMeter = {
  /** Counts `chars` characters about to be produced; throws `LimitExceededError` past the budget. */
  text(chars: number): void
  /** Counts one segment about to be produced. */
  segment(): void
  /**
   * Throws as `text` would if `pending` more characters were counted, without counting them: for
   * what a parser holds before it becomes segments (a sheet's cells, a page's text runs).
   */
  check(pending: number): void
  /** Characters counted so far. */
  readonly chars: number
}

/** How a file is named in the sentence, and what its owner can do about it. */
export type OutputSubject = { what: string; advice: string }

const ANY_FILE: OutputSubject = { what: 'file', advice: 'split it into smaller files and upload them again' }

/**
 * @example
 * const meter = outputMeter(limits, { what: 'spreadsheet', advice: 'split it, or export the sheets you need as CSV' })
 * meter.text(value.length) // throws once the sheet has produced more than `limits.maxOutputChars`
 */
export function outputMeter(limits: Pick<Limits, 'maxOutputChars' | 'maxSegments'>, subject: OutputSubject = ANY_FILE): OutputMeter {
  let chars = 0
  let segments = 0
  const tooMuchText = () =>
    new LimitExceededError(
      `the ${subject.what} expands to more than ${millions(limits.maxOutputChars)} characters of text, more than Cairn indexes from one file at a time; ${subject.advice}`,
    )
  return {
    get chars() {
      return chars
    },
    text(n) {
      chars += n
      if (chars > limits.maxOutputChars) throw tooMuchText()
    },
    check(pending) {
      if (chars + pending > limits.maxOutputChars) throw tooMuchText()
    },
    segment() {
      if (++segments > limits.maxSegments) {
        throw new LimitExceededError(
          `the ${subject.what} breaks into more than ${formatCount(limits.maxSegments)} separate pieces of text, more than Cairn indexes from one file at a time; ${subject.advice}`,
        )
      }
    },
  }
}

/** A meter that never refuses, for callers that produce segments outside a parse (tests, perception). */
export function unmetered(): OutputMeter {
  return outputMeter({ maxOutputChars: Number.POSITIVE_INFINITY, maxSegments: Number.POSITIVE_INFINITY })
}

/** "12 million", "1.5 million", "800,000". */
function millions(n: number): string {
  if (n < 1_000_000) return formatCount(n)
  const m = n / 1_000_000
  return `${Number.isInteger(m) ? m : m.toFixed(1)} million`
}
