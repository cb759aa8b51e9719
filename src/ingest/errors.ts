/**
 * @module The errors ingestion ends in. Each carries `reason`, a plain sentence for the file's
 * `status_details`; none knows anything of HTTP or queues.
 */

const MAX_REASON = 1000

/** Keeps a reason readable: one line, no stack, at most 1,000 characters. */
export function plainSentence(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length <= MAX_REASON ? oneLine : `${oneLine.slice(0, MAX_REASON - 1)}…`
}

/** Why a file could not be ingested, said so that the person who uploaded it understands. */
export abstract class IngestError extends Error {
  readonly reason: string

  /** `cause` keeps the library's own error for logs; it never reaches the person. */
  constructor(reason: string, options?: { cause?: unknown }) {
    const sentence = plainSentence(reason)
    super(sentence, options)
    this.reason = sentence
  }
}

/** The bytes are not one of the formats Cairn reads, or do not match their name. */
export class UnsupportedFormatError extends IngestError {
  override readonly name = 'UnsupportedFormatError'
}

/** The file claims a supported format but cannot be read: corrupt, truncated, encrypted. */
export class DamagedFileError extends IngestError {
  override readonly name = 'DamagedFileError'
}

/** Reading the file would pass a size, count, depth or time limit (bombs end here). */
export class LimitExceededError extends IngestError {
  override readonly name = 'LimitExceededError'
}

export function isIngestError(err: unknown): err is IngestError {
  return err instanceof IngestError
}

/** A short, human detail from a library error, or nothing when it would read as noise. */
export function libraryDetail(err: unknown): string {
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : ''
  const first = message.split('\n')[0]?.trim() ?? ''
  // Messages like "Cannot read properties of undefined" say nothing to a person.
  if (!first || /undefined|null|is not a function|properties of|stack|\bat\s+\S+\s+\(/i.test(first)) return ''
  return first.length > 200 ? `${first.slice(0, 199)}…` : first
}
