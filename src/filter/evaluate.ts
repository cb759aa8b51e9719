/**
 * @module The reference meaning of a filter: evaluates a tree over one record in memory, exactly as
 * filter.md says. The SQL and Vectorize compilers are tested against it.
 */
import type { CompareOp, ConditionNode, FilterNode, LikeNode, Scalar, Target } from './ast'
import { likeMatcher } from './like'

/** A file (and, for a question's filter, one of its chunks) as the filter sees it. */
export type FilterRecord = {
  id: string
  filename: string
  bytes: number
  /** Unix seconds. */
  created_at: number
  purpose: string
  status: string
  user_id: string | null
  /** The file's metadata, parsed JSON (normally an object). */
  metadata: unknown
  page?: number | null
  modality?: string | null
}

/**
 * Whether `record` satisfies `node`. Every condition is true or false, never unknown.
 * @example evaluateFilter(parseFilter('not author = "x"'), { ...file, metadata: {} }) // true
 */
export function evaluateFilter(node: FilterNode, record: FilterRecord): boolean {
  switch (node.kind) {
    case 'or':
      return node.operands.some((operand) => evaluateFilter(operand, record))
    case 'and':
      return node.operands.every((operand) => evaluateFilter(operand, record))
    case 'not':
      return !evaluateFilter(node.operand, record)
    default:
      return evaluateCondition(node, valueAt(record, node.target))
  }
}

/** The value a target names in a record; `undefined` when it is missing. */
export function valueAt(record: FilterRecord, target: Target): unknown {
  if (target.kind !== 'metadata') return record[target.name]
  let value: unknown = record.metadata
  for (const segment of target.path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(value) || segment >= value.length) return undefined
      value = value[segment]
    } else {
      if (!isObject(value) || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined
      value = (value as Record<string, unknown>)[segment]
    }
  }
  return value
}

function evaluateCondition(node: ConditionNode, value: unknown): boolean {
  // A missing key and null are one and the same.
  if (node.kind === 'isNull') return (value === null || value === undefined) !== node.negated
  if (value === null || value === undefined || isObject(value)) return false
  const matchesOne = elementTest(node)
  const negative = isNegative(node)
  if (Array.isArray(value)) {
    // A list matches if any element does; the negative forms hold when none does.
    const any = value.some((element) => isScalar(element) && matchesOne(element))
    return negative ? !any : any
  }
  if (!isScalar(value)) return false
  if (!negative) return matchesOne(value)
  // A scalar of another type fails the negative forms too: `1 != "a"` is false.
  switch (node.kind) {
    case 'compare':
      return sameType(value, node.value) && !equal(value, node.value)
    case 'in':
      return node.values.every((item) => sameType(value, item) && !equal(value, item))
    case 'like':
      return typeof value === 'string' && !matchesOne(value)
  }
}

/** The negative forms: `!=`, `not in`, `not like`. */
export const isNegative = (node: ConditionNode): boolean =>
  node.kind === 'compare' ? node.op === '!=' : node.kind !== 'isNull' && node.negated

/** The positive test one scalar must pass: for `!=` it is `=`, for `not in` `in`, for `not like` `like`. */
function elementTest(node: Exclude<ConditionNode, { kind: 'isNull' }>): (value: Scalar) => boolean {
  switch (node.kind) {
    case 'compare': {
      const op = node.op === '!=' ? '=' : node.op
      return (value) => compareScalars(value, op, node.value)
    }
    case 'in':
      return (value) => node.values.some((item) => sameType(value, item) && equal(value, item))
    case 'like': {
      const match = matcherFor(node)
      return (value) => typeof value === 'string' && match(value)
    }
  }
}

const matchers = new WeakMap<LikeNode, (value: string) => boolean>()
function matcherFor(node: LikeNode): (value: string) => boolean {
  let match = matchers.get(node)
  if (!match) matchers.set(node, (match = likeMatcher(node.pattern)))
  return match
}

/** Numbers as numbers, strings by code point, booleans only by = and !=; different types never compare. */
export function compareScalars(a: Scalar, op: CompareOp, b: Scalar): boolean {
  if (!sameType(a, b)) return false
  if (op === '=') return equal(a, b)
  if (op === '!=') return !equal(a, b)
  if (typeof a === 'boolean') return false
  const order = typeof a === 'string' ? compareCodePoints(a, b as string) : a < (b as number) ? -1 : a > (b as number) ? 1 : 0
  if (op === '<') return order < 0
  if (op === '<=') return order <= 0
  if (op === '>') return order > 0
  return order >= 0
}

const sameType = (a: Scalar, b: Scalar) => typeof a === typeof b
// `===` makes 0 equal -0, as SQLite does.
const equal = (a: Scalar, b: Scalar) => a === b

/**
 * Orders strings by code point, as SQLite's BINARY collation orders their UTF-8 bytes. UTF-16 code
 * units order the same way except that surrogates (U+D800–DFFF) sort below U+E000–FFFF; lifting them fixes that.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000
    }
    return x - y
  }
  return a.length - b.length
}

const isScalar = (value: unknown): value is Scalar =>
  typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))

const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null && !Array.isArray(value)
