/**
 * @module What a Vectorize metadata filter selects, in memory, as Cloudflare documents it: keys ANDed,
 * `$ne`/`$nin` true where the key is missing, indexed strings cut to their first 64 bytes of UTF-8.
 * The pushdown compiler is tested against it; a store without Vectorize may filter with it too.
 */

export type VectorizeScalar = string | number | boolean
export type VectorizeRangeOp = '$lt' | '$lte' | '$gt' | '$gte'
export type VectorizeFieldFilter =
  | { $eq: VectorizeScalar }
  | { $ne: VectorizeScalar }
  | { $in: VectorizeScalar[] }
  | { $nin: VectorizeScalar[] }
  | { [op in VectorizeRangeOp]?: string | number }
/** The subset of Vectorize's `filter` this project emits; assignable to `VectorizeVectorMetadataFilter`. */
export type VectorizeFilter = Record<string, VectorizeFieldFilter>

/** Vectorize indexes a string property by its first 64 bytes, cut back to a whole UTF-8 character. */
export const VECTORIZE_STRING_INDEX_BYTES = 64

/** Whether a vector with `metadata` passes `filter`. */
export function vectorizeFilterMatches(filter: VectorizeFilter, metadata: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(filter).every(([property, field]) => fieldMatches(field, indexed(metadata[property])))
}

function fieldMatches(field: VectorizeFieldFilter, value: VectorizeScalar | undefined): boolean {
  return Object.entries(field).every(([op, operand]) => {
    switch (op) {
      case '$eq':
        return equals(value, operand as VectorizeScalar)
      case '$ne':
        return !equals(value, operand as VectorizeScalar)
      case '$in':
        return (operand as VectorizeScalar[]).some((item) => equals(value, item))
      case '$nin':
        return !(operand as VectorizeScalar[]).some((item) => equals(value, item))
      case '$lt':
      case '$lte':
      case '$gt':
      case '$gte':
        return ordered(value, op, operand as string | number)
      default:
        throw new Error(`vectorizeFilterMatches: unsupported operator ${op}`)
    }
  })
}

/** A property as the metadata index holds it: a scalar (strings cut to 64 bytes), or nothing. */
function indexed(value: unknown): VectorizeScalar | undefined {
  if (typeof value === 'string') return truncateUtf8(value, VECTORIZE_STRING_INDEX_BYTES)
  if (typeof value === 'number' || typeof value === 'boolean') return value
  return undefined
}

const equals = (value: VectorizeScalar | undefined, operand: VectorizeScalar) =>
  value !== undefined && typeof value === typeof operand && value === operand

function ordered(value: VectorizeScalar | undefined, op: VectorizeRangeOp, operand: string | number): boolean {
  if (value === undefined || typeof value !== typeof operand || typeof value === 'boolean') return false
  // Strings order by their UTF-8 bytes, which is code point order.
  const order = typeof value === 'string' ? compareUtf8(value, operand as string) : value - (operand as number)
  if (op === '$lt') return order < 0
  if (op === '$lte') return order <= 0
  if (op === '$gt') return order > 0
  return order >= 0
}

/** The longest prefix of `text` that is whole characters and at most `bytes` bytes of UTF-8. */
export function truncateUtf8(text: string, bytes: number): string {
  let used = 0
  let end = 0
  for (const c of text) {
    const cp = c.codePointAt(0)!
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4
    if (used + size > bytes) break
    used += size
    end += c.length
  }
  return text.slice(0, end)
}

export const utf8Length = (text: string): number => new TextEncoder().encode(text).length

function compareUtf8(a: string, b: string): number {
  const x = new TextEncoder().encode(a)
  const y = new TextEncoder().encode(b)
  const n = Math.min(x.length, y.length)
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return x.length - y.length
}
