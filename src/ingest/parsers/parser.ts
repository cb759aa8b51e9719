/**
 * @module The shape every format parser has, and what it is handed: caps, a deadline, the meter
 * of what it produces and, for paged formats, the page range this message reads.
 */
import { LimitExceededError } from '../errors'
import { formatBytes, type Deadline, type Limits } from '../limits'
import type { OutputMeter } from '../output-meter'
import type { ParseResult } from '../segment'
import { decodeUtf8Text, normalizeNewlines } from '../utf8'
import type { PageRange } from './pdf'

export type ParseContext = {
  limits: Limits
  deadline: Deadline
  /** Counts what the parser produces (text, segments) against the output budget; give it to `segmentBuilder`. */
  output: OutputMeter
  /** PDF only: the pages to read; absent means the whole file (if it fits in one message). */
  pages?: PageRange
}

export type Parser = (bytes: Uint8Array, ctx: ParseContext) => Promise<ParseResult>

/** Size-checked, strictly decoded UTF-8 with LF line breaks: the input of every text format. */
export function readTextFile(bytes: Uint8Array, limits: Limits, what: string): string {
  if (bytes.length > limits.maxTextBytes) {
    throw new LimitExceededError(`the ${what} is larger than the ${formatBytes(limits.maxTextBytes)} Cairn reads`)
  }
  return normalizeNewlines(decodeUtf8Text(bytes, what))
}
