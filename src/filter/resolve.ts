/**
 * @module What a path in a filter names (a file attribute, a chunk attribute or a metadata key),
 * and the one conversion of a value it implies: an ISO 8601 date against `created_at`.
 */
import { CHUNK_ATTRIBUTES, FILE_ATTRIBUTES } from './ast'
import type { ChunkAttribute, FileAttribute, PathSegment, Scalar, Target } from './ast'

export type ResolveOptions = {
  /** Whether `page` and `modality` name chunk attributes (a question's filter) or are refused (`GET /files`). */
  chunkAttributes: boolean
}

/** Why a path names nothing: the parser turns it into an error at the segment it points to. */
export type ResolveFault = { segment: number; expected: string; found: string }

const FILE_SET: ReadonlySet<string> = new Set(FILE_ATTRIBUTES)
const CHUNK_SET: ReadonlySet<string> = new Set(CHUNK_ATTRIBUTES)

/**
 * The target of a path as written, e.g. `['metadata', 'tags', 0]` or `['status']`.
 * A bare file attribute means the attribute even where the metadata has a key of that name.
 */
export function resolvePath(segments: readonly PathSegment[], options: ResolveOptions): Target | ResolveFault {
  const [first, ...rest] = segments
  if (typeof first !== 'string') return { segment: 0, expected: 'a name', found: String(first) }
  if (first === 'metadata') {
    if (rest.length === 0) return { segment: 1, expected: 'a key after metadata, as in metadata.author', found: '' }
    return { kind: 'metadata', path: rest }
  }
  if (CHUNK_SET.has(first) && !options.chunkAttributes) {
    return {
      segment: 0,
      expected: `a file attribute or a metadata key (${first} is a chunk attribute, usable only in a question's filter; metadata.${first} is the metadata key)`,
      found: `the chunk attribute ${first}`,
    }
  }
  if (FILE_SET.has(first) || CHUNK_SET.has(first)) {
    if (rest.length > 0) {
      return {
        segment: 1,
        expected: `an operator after ${first}, which has no fields (metadata.${first}… is the metadata key)`,
        found: typeof rest[0] === 'number' ? '"["' : '"."',
      }
    }
    return CHUNK_SET.has(first)
      ? { kind: 'chunk', name: first as ChunkAttribute }
      : { kind: 'file', name: first as FileAttribute }
  }
  return { kind: 'metadata', path: [...segments] }
}

export const isFault = (r: Target | ResolveFault): r is ResolveFault => 'segment' in r

/**
 * A literal as the target compares it: a string against `created_at` is an ISO 8601 date or date-time,
 * turned into unix seconds; `undefined` when it is not one.
 */
export function resolveValue(target: Target, value: Scalar): Scalar | undefined {
  if (target.kind === 'file' && target.name === 'created_at' && typeof value === 'string') return isoToUnixSeconds(value)
  return value
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/

/**
 * Unix seconds for `2024-01-31`, `2024-01-31T12:30`, `2024-01-31T12:30:05.250+02:00` and the like.
 * A date without a zone is UTC, as `created_at` is. Fractions of a second are kept.
 */
export function isoToUnixSeconds(text: string): number | undefined {
  const m = ISO.exec(text)
  if (!m) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  let offsetMinutes = 0
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '')
    const oh = Number(digits.slice(0, 2))
    const om = Number(digits.slice(2) || '0')
    if (oh > 23 || om > 59) return undefined
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om)
  }
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second))
  date.setUTCFullYear(year)
  const seconds = date.getTime() / 1000 - offsetMinutes * 60
  return fraction ? seconds + Number(`0.${fraction}`) : seconds
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}
