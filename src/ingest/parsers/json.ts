/**
 * @module JSON: nesting is measured by a cheap scan before `JSON.parse` (100k nested brackets
 * would blow the stack), then the value is flattened into `path: value` lines, grouped into
 * segments of about one chunk, each with the key path it covers.
 */
import { DamagedFileError, LimitExceededError, libraryDetail } from '../errors'
import { formatCount, type Deadline } from '../limits'
import { cutKeyPath, segmentBuilder, type SegmentBuilder } from '../segment-builder'
import { readTextFile, type Parser } from './parser'

/** Rendered characters per segment (≈ 300 tokens): small siblings are grouped up to this. */
const SEGMENT_CHARS = 1200

export const parseJson: Parser = async (bytes, { limits, deadline, output }) => {
  const text = readTextFile(bytes, limits, 'JSON file')
  const { depth, balanced } = nesting(text)
  if (!balanced) throw new DamagedFileError('the file is not valid JSON (its brackets, braces or quotes do not pair up)')
  if (depth > limits.maxJsonDepth) {
    throw new LimitExceededError(`the JSON nests deeper than the ${formatCount(limits.maxJsonDepth)} levels Cairn reads`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    const detail = libraryDetail(err)
    throw new DamagedFileError(`the file is not valid JSON${detail ? ` (${detail})` : ''}`)
  }
  const out = segmentBuilder(output)
  new Flattener(out, deadline).visit(value, '$')
  return { segments: out.segments }
}

/**
 * Deepest bracket nesting outside strings, and whether brackets pair up in number; other
 * malformations are left for `JSON.parse` to reject.
 */
export function nesting(text: string): { depth: number; balanced: boolean } {
  let depth = 0
  let max = 0
  let balanced = true
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++
      else if (c === 0x22) inString = false
    } else if (c === 0x22) inString = true
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth
    } else if ((c === 0x5d || c === 0x7d) && --depth < 0) balanced = false
  }
  return { depth: max, balanced: balanced && depth === 0 && !inString }
}

const IDENTIFIER = /^[A-Za-z_$][\w$-]*$/

export function keySegment(key: string): string {
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`
}

function scalar(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\s*\n\s*/g, ' ')
  return String(value)
}

class Flattener {
  private sizes = new Map<object, number>()
  private count = 0

  constructor(
    private out: SegmentBuilder,
    private deadline: Deadline,
  ) {}

  /** Emits `value` at `path` as one segment if it is small, else groups its children. */
  visit(value: unknown, path: string): void {
    if (value === null || typeof value !== 'object' || this.size(value) <= SEGMENT_CHARS) {
      this.emit(path, this.lines(value, ''))
      return
    }
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [`[${i}]`, v])
      : Object.entries(value).map(([k, v]) => [keySegment(k), v])
    let group: [string, unknown][] = []
    let groupSize = 0
    const flush = () => {
      if (!group.length) return
      const lines = group.flatMap(([seg, v]) => this.lines(v, seg.startsWith('.') ? seg.slice(1) : seg))
      this.emit(groupPath(path, group, Array.isArray(value)), lines)
      group = []
      groupSize = 0
    }
    for (const entry of entries) {
      const size = this.size(entry[1]) + entry[0].length
      if (size > SEGMENT_CHARS) {
        flush()
        // Cut as it grows: 500 levels of long keys would otherwise build a million-character path per group.
        this.visit(entry[1], cutKeyPath(path + entry[0]))
        continue
      }
      if (groupSize + size > SEGMENT_CHARS) flush()
      group.push(entry)
      groupSize += size
    }
    flush()
  }

  private emit(keyPath: string, lines: string[]): void {
    if (++this.count % 64 === 0) this.deadline.check()
    this.out.text(lines.join('\n'), { keyPath, modality: 'text' })
  }

  /** `relative.path: value` lines for a subtree. */
  private lines(value: unknown, rel: string, out: string[] = []): string[] {
    if (value === null || typeof value !== 'object') {
      out.push(rel ? `${rel}: ${scalar(value)}` : scalar(value))
    } else if (Array.isArray(value)) {
      if (!value.length) out.push(`${rel || '$'}: []`)
      value.forEach((v, i) => this.lines(v, `${rel}[${i}]`, out))
    } else {
      const keys = Object.keys(value)
      if (!keys.length) out.push(`${rel || '$'}: {}`)
      for (const k of keys) {
        const seg = keySegment(k)
        this.lines((value as Record<string, unknown>)[k], rel ? rel + seg : seg.startsWith('.') ? seg.slice(1) : seg, out)
      }
    }
    return out
  }

  /** Approximate rendered length of a subtree, computed once per object. */
  private size(value: unknown): number {
    if (value === null || typeof value !== 'object') return scalar(value).length + 4
    const known = this.sizes.get(value)
    if (known !== undefined) return known
    let total = 4
    if (Array.isArray(value)) for (const v of value) total += this.size(v) + 4
    else for (const [k, v] of Object.entries(value)) total += this.size(v) + k.length + 2
    this.sizes.set(value, total)
    return total
  }
}

function groupPath(path: string, group: [string, unknown][], isArray: boolean): string {
  if (!isArray) return path
  const first = group[0]![0]
  const last = group[group.length - 1]![0]
  return first === last ? path + first : `${path}[${first.slice(1, -1)}..${last.slice(1, -1)}]`
}
