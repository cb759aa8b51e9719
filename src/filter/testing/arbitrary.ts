/**
 * @module Seeded random filter trees, metadata and records for the filter's property tests.
 * Test-only: values are drawn from small shared vocabularies so that conditions often match.
 */
import { CHUNK_ATTRIBUTES, FILE_ATTRIBUTES } from '../ast'
import type { CompareOp, ConditionNode, FilterNode, PathSegment, Scalar, Target } from '../ast'
import type { FilterRecord } from '../evaluate'

/** A small, fast, seedable generator (mulberry32): the same seed gives the same run. */
export class Random {
  private state: number

  constructor(readonly seed: number) {
    this.state = seed >>> 0
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }

  chance(p: number): boolean {
    return this.next() < p
  }
}

export const STRINGS = [
  '', 'a', 'A', 'ab', 'aB', 'b', 'z', 'logic', 'Logic', 'hegel', 'Hegel', '100%', '100\\%', 'a_b', 'axb',
  'a"b', "a'b", 'back\\slash', '\\', 'é', 'É', 'ß', 'ÄB', 'äb', '😀', '😀x', '\uffff', 'x\u00e9', '\ud7ff',
  '$.x', '$."a"', "a') OR 1=1 --", '1', 'true', 'null', ' space', 'new\nline', 'tab\there', 'abc%def', '%', '_',
] as const
export const NUMBERS = [0, -0, 1, -1, 2, 3, 1.5, -2.5, 0.1, 10, 100, 1e20, 1e21, 123456789] as const
export const KEYS = ['a', 'b', 'c', 'tags', 'n', 'author', 'status', 'id', 'metadata', 'o', 'x_1', 'B'] as const
const PATTERN_PIECES = ['%', '%', '_', 'a', 'A', 'b', 'lo', 'gic', 'é', 'É', '\\%', '\\_', '\\\\', '😀', 'ß', "'", '"', '1', '0', ' '] as const
const OPS: readonly CompareOp[] = ['=', '!=', '<', '<=', '>', '>=']

export function randomScalar(rng: Random): Scalar {
  const r = rng.next()
  if (r < 0.5) return rng.pick(STRINGS)
  if (r < 0.85) return rng.pick(NUMBERS)
  return rng.chance(0.5)
}

export function randomPattern(rng: Random): string {
  let out = ''
  for (let n = rng.int(0, 4); n > 0; n--) out += rng.pick(PATTERN_PIECES)
  return out
}

export type TreeOptions = {
  /** Whether `page` and `modality` may be targets. */
  chunkAttributes?: boolean
  /** Targets to draw from instead of the default mix. */
  targets?: readonly Target[]
  maxDepth?: number
}

export function randomPath(rng: Random): PathSegment[] {
  const path: PathSegment[] = [rng.pick(KEYS)]
  while (path.length < 4 && rng.chance(0.35)) path.push(rng.chance(0.6) ? rng.pick(KEYS) : rng.int(0, 2))
  return path
}

export function randomTarget(rng: Random, options: TreeOptions = {}): Target {
  if (options.targets) return rng.pick(options.targets)
  const r = rng.next()
  if (r < 0.25) return { kind: 'file', name: rng.pick(FILE_ATTRIBUTES) }
  if (r < 0.35 && options.chunkAttributes) return { kind: 'chunk', name: rng.pick(CHUNK_ATTRIBUTES) }
  return { kind: 'metadata', path: randomPath(rng) }
}

/** A literal the parser would give back unchanged for this target (`created_at` turns strings into numbers). */
function literalFor(rng: Random, target: Target): Scalar {
  const value = randomScalar(rng)
  return target.kind === 'file' && target.name === 'created_at' && typeof value === 'string' ? rng.pick(NUMBERS) : value
}

export function randomCondition(rng: Random, options: TreeOptions = {}): ConditionNode {
  const target = randomTarget(rng, options)
  const r = rng.next()
  if (r < 0.45) return { kind: 'compare', target, op: rng.pick(OPS), value: literalFor(rng, target) }
  if (r < 0.7) {
    const values = Array.from({ length: rng.int(0, 4) }, () => literalFor(rng, target))
    return { kind: 'in', target, values, negated: rng.chance(0.4) }
  }
  if (r < 0.88) return { kind: 'like', target, pattern: randomPattern(rng), negated: rng.chance(0.4) }
  return { kind: 'isNull', target, negated: rng.chance(0.5) }
}

/** A tree the parser could have produced: `and`/`or` with two or more operands, at most 256 conditions. */
export function randomTree(rng: Random, options: TreeOptions = {}, depth = 0): FilterNode {
  const maxDepth = options.maxDepth ?? 5
  const r = rng.next()
  if (depth >= maxDepth || r < 0.4) return randomCondition(rng, options)
  if (r < 0.55) return { kind: 'not', operand: randomTree(rng, options, depth + 1) }
  const operands = Array.from({ length: rng.int(2, 4) }, () => randomTree(rng, options, depth + 1))
  return { kind: r < 0.8 ? 'and' : 'or', operands }
}

/** Random metadata: nested objects, mixed lists, nulls, missing keys. */
export function randomMetadata(rng: Random, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of KEYS) if (rng.chance(depth === 0 ? 0.55 : 0.3)) out[key] = randomJson(rng, depth + 1)
  return out
}

function randomJson(rng: Random, depth: number): unknown {
  const r = rng.next()
  if (r < 0.55 || depth > 2) return rng.chance(0.9) ? randomScalar(rng) : null
  if (r < 0.85) return Array.from({ length: rng.int(0, 4) }, () => randomJson(rng, depth + 1))
  return randomMetadata(rng, depth)
}

/**
 * JSON text for a value, sometimes spelling integers as `2.0` or with an exponent and adding spaces,
 * so a store reading the text meets integer and real numbers alike.
 */
export function randomJsonText(rng: Random, value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && Math.abs(value) < 1e15 && rng.chance(0.2)) return rng.chance(0.5) ? `${value}.0` : `${value}e0`
    return JSON.stringify(value)
  }
  if (Array.isArray(value)) return `[${value.map((v) => randomJsonText(rng, v)).join(rng.chance(0.3) ? ', ' : ',')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${randomJsonText(rng, v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

/** A record and the JSON text its metadata is stored as. */
export function randomRecord(rng: Random, index: number): { record: FilterRecord; metadataText: string } {
  const metadataText = randomJsonText(rng, randomMetadata(rng))
  const record: FilterRecord = {
    id: `file-${index}`,
    filename: rng.pick(['a.pdf', 'A.PDF', 'report 100%.docx', 'é.txt', "it's.md", 'back\\slash.csv', 'hegel', 'logic']),
    bytes: rng.pick([0, 1, 2, 3, 10, 100, 123456789]),
    created_at: rng.pick([0, 1, 1704067200, 1704067199, 1717200000, 2, 3]),
    purpose: rng.pick(['user_data', 'assistants', 'a', 'logic', 'hegel']),
    status: rng.pick(['uploaded', 'processing', 'processed', 'error', 'a', 'logic']),
    user_id: rng.chance(0.2) ? null : rng.pick(['user-1', 'user-2', 'a', 'é']),
    metadata: JSON.parse(metadataText),
    page: rng.chance(0.3) ? null : rng.int(0, 3),
    modality: rng.pick(['text', 'table', 'image', 'audio', 'a', 'Logic']),
  }
  return { record, metadataText }
}

/** The same tree with every path and literal replaced: what the compiled SQL's shape must not depend on. */
export function withOtherValues(node: FilterNode): FilterNode {
  const target = (t: Target): Target => (t.kind === 'metadata' ? { kind: 'metadata', path: t.path.map(() => 'q') } : t)
  switch (node.kind) {
    case 'or':
    case 'and':
      return { kind: node.kind, operands: node.operands.map(withOtherValues) }
    case 'not':
      return { kind: 'not', operand: withOtherValues(node.operand) }
    case 'compare':
      return { ...node, target: target(node.target), value: typeof node.value === 'number' ? 'zz' : 0 }
    case 'in':
      return { ...node, target: target(node.target), values: [] }
    case 'like':
      return { ...node, target: target(node.target), pattern: 'q' }
    case 'isNull':
      return { ...node, target: target(node.target) }
  }
}
