/**
 * @module Splits a filter tree into what Vectorize can apply while it searches (the pushdown) and what
 * must be applied to its candidates afterwards in D1 (the residual). No clause is ever dropped.
 *
 * Vectorize's filter is keys ANDed with `$eq $ne $in $nin $lt $lte $gt $gte`, no OR, under 2048 bytes,
 * on properties that have a metadata index. Its meaning differs from filter.md's in two ways that
 * decide what may be pushed: a vector without the key passes `$ne` and `$nin` (ours says false), and
 * only the first 64 bytes of a string are indexed. So each top-level AND term is pushed only when:
 *   - it tests an indexed property (below) with literals of that property's one type;
 *   - every string literal is at most 60 bytes of UTF-8 — an indexed string cut to whole characters
 *     keeps at least 61 bytes of a longer one, so it can never equal, or order differently from, a
 *     literal that short — and, to order strings, is ASCII, where every byte order agrees;
 *   - it is `=`, `!=`, `<`…, `in`, `not in`, `not` of one of those, or an `or` of `=`/`in` on one property.
 * A term whose pushed form is exactly equivalent leaves the residual. `!=`, `not in` and ranges on a
 * property some vectors lack (`page`) push a weaker filter (a superset) and stay in the residual too.
 * Everything else (`like`, `is null`, metadata, `status`, `or` across properties) stays residual.
 *
 * Indexed properties: only what never changes once a chunk is written. The file's metadata changes
 * (`PATCH /files/{id}/metadata`) and so does its `status`; Vectorize cannot update one property of a
 * vector, so indexing them would let a stale index hide matches. `filename`, `bytes` and `user_id` are
 * left out: rarely filtered on, or (`filename`) mostly with `like`, which never pushes down.
 */
import type { FilterNode, Target } from './ast'
import type { VectorizeFieldFilter, VectorizeFilter, VectorizeRangeOp, VectorizeScalar } from './vectorize-semantics'
import { utf8Length } from './vectorize-semantics'

/**
 * The metadata indexes to create on the Vectorize index, before any vector is upserted (vectors
 * written before an index exists are not in it). Five of the ten Vectorize allows; the same list as
 * `METADATA_INDEXES` in scripts/lib/deploy-plan.mjs, which creates them.
 */
export const VECTORIZE_INDEXED_FIELDS = [
  { propertyName: 'file_id', type: 'string' },
  { propertyName: 'purpose', type: 'string' },
  { propertyName: 'created_at', type: 'number' },
  { propertyName: 'modality', type: 'string' },
  { propertyName: 'page', type: 'number' },
] as const

export type VectorizeIndexedProperty = (typeof VECTORIZE_INDEXED_FIELDS)[number]['propertyName']

/** What a chunk's vector carries for filtering; `page` is null where the format has no pages. */
export type VectorFilterSource = { file_id: string; purpose: string; created_at: number; modality: string; page: number | null }

/** The metadata to store with a chunk's vector so that pushed-down filters see what the D1 filter sees. */
export function vectorFilterMetadata(source: VectorFilterSource): Record<string, string | number> {
  const { file_id, purpose, created_at, modality, page } = source
  // A missing property, not null: Vectorize indexes strings, numbers and booleans only.
  return page === null ? { file_id, purpose, created_at, modality } : { file_id, purpose, created_at, modality, page }
}

export type VectorizePlan = {
  /** For `VECTORS.query(vector, { filter })`; undefined when nothing can be pushed. */
  filter: VectorizeFilter | undefined
  /** What the candidates must still pass (compile it with `compileToSql`); null when the filter says it all. */
  residual: FilterNode | null
}

/** Vectorize refuses filters whose compact JSON is 2048 bytes or more. */
const MAX_FILTER_BYTES = 2047
/** See the module comment: the shortest a cut-down indexed string can be, less one. */
const MAX_PUSHED_STRING_BYTES = 60

type Field = { type: 'string' | 'number'; alwaysPresent: boolean }
const FIELDS: Record<VectorizeIndexedProperty, Field> = {
  file_id: { type: 'string', alwaysPresent: true },
  purpose: { type: 'string', alwaysPresent: true },
  created_at: { type: 'number', alwaysPresent: true },
  modality: { type: 'string', alwaysPresent: true },
  page: { type: 'number', alwaysPresent: false },
}

type SetOp = '$eq' | '$ne' | '$in' | '$nin'
type Op = SetOp | VectorizeRangeOp
/** One term as Vectorize could apply it, and whether that is exactly the term or only a superset of it. */
type Pushed = { property: VectorizeIndexedProperty; op: Op; operand: VectorizeScalar | VectorizeScalar[]; exact: boolean }

const COMPLEMENT: Record<Op, Op> = { $eq: '$ne', $ne: '$eq', $in: '$nin', $nin: '$in', $lt: '$gte', $gte: '$lt', $gt: '$lte', $lte: '$gt' }
const RANGE: Record<string, VectorizeRangeOp> = { '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte' }

export type VectorizeOptions = {
  /** The properties that have metadata indexes in this deployment; default all of `VECTORIZE_INDEXED_FIELDS`. */
  indexed?: readonly VectorizeIndexedProperty[]
}

/**
 * @example
 * const { filter, residual } = compileToVectorize(parseFilter('modality = "table" and author = "x"', { chunkAttributes: true }))
 * // filter: { modality: { $eq: 'table' } }, residual: metadata.author = "x"
 */
export function compileToVectorize(node: FilterNode, options: VectorizeOptions = {}): VectorizePlan {
  const indexed = new Set<string>(options.indexed ?? VECTORIZE_INDEXED_FIELDS.map((f) => f.propertyName))
  const terms = conjuncts(node)
  const byProperty = new Map<string, { field: VectorizeFieldFilter; terms: number[] }>()
  const pushedExactly = new Set<number>()
  terms.forEach((term, i) => {
    const pushed = translate(term, indexed)
    if (!pushed) return
    const slot = byProperty.get(pushed.property) ?? { field: {}, terms: [] }
    if (!accepts(slot.field, pushed.op)) return
    ;(slot.field as Record<string, unknown>)[pushed.op] = pushed.operand
    slot.terms.push(i)
    byProperty.set(pushed.property, slot)
    if (pushed.exact) pushedExactly.add(i)
  })
  // Over the size limit, the biggest properties go back to the residual until the rest fits.
  const sizeOf = () => utf8Length(JSON.stringify(Object.fromEntries([...byProperty].map(([p, s]) => [p, s.field]))))
  while (byProperty.size > 0 && sizeOf() > MAX_FILTER_BYTES) {
    const [largest] = [...byProperty].sort((x, y) => JSON.stringify(y[1].field).length - JSON.stringify(x[1].field).length)
    byProperty.delete(largest![0])
    for (const i of largest![1].terms) pushedExactly.delete(i)
  }
  const residualTerms = terms.filter((_, i) => !pushedExactly.has(i))
  return {
    filter: byProperty.size === 0 ? undefined : Object.fromEntries([...byProperty].map(([p, s]) => [p, s.field])),
    residual: residualTerms.length === 0 ? null : residualTerms.length === 1 ? residualTerms[0]! : { kind: 'and', operands: residualTerms },
  }
}

/** The top-level AND terms, through nested `and`s. */
function conjuncts(node: FilterNode): FilterNode[] {
  return node.kind === 'and' ? node.operands.flatMap(conjuncts) : [node]
}

/** Vectorize takes one of `$eq $ne $in $nin`, or one lower and one upper bound, per property. */
function accepts(field: VectorizeFieldFilter, op: Op): boolean {
  const ops = Object.keys(field)
  if (ops.length === 0) return true
  const lower = (o: string) => o === '$gt' || o === '$gte'
  const upper = (o: string) => o === '$lt' || o === '$lte'
  if (lower(op)) return ops.every(upper)
  if (upper(op)) return ops.every(lower)
  return false
}

function translate(node: FilterNode, indexed: ReadonlySet<string>): Pushed | undefined {
  if (node.kind === 'not') {
    const inner = translate(node.operand, indexed)
    // Where c is exactly its pushed form, `not c` is exactly the complementary operator: Vectorize's
    // $ne and $nin are the negations of $eq and $in, and ranges are exact only on properties every vector has.
    return inner?.exact ? { ...inner, op: COMPLEMENT[inner.op] } : undefined
  }
  if (node.kind === 'or') return union(node.operands, indexed)
  if (node.kind !== 'compare' && node.kind !== 'in') return undefined
  const property = propertyOf(node.target)
  if (!property || !indexed.has(property)) return undefined
  const field = FIELDS[property]
  const fits = (value: VectorizeScalar) => typeof value === field.type && (typeof value !== 'string' || utf8Length(value) <= MAX_PUSHED_STRING_BYTES)
  // Vectorize's $ne and $nin pass vectors without the property, ours never does; ranges are counted
  // exact only where every vector has the property, so nothing rests on how Vectorize ranges treat its absence.
  const exactUnlessAbsent = field.alwaysPresent
  if (node.kind === 'compare') {
    if (!fits(node.value)) return undefined
    if (node.op === '=') return { property, op: '$eq', operand: node.value, exact: true }
    if (node.op === '!=') return { property, op: '$ne', operand: node.value, exact: exactUnlessAbsent }
    if (typeof node.value === 'string' && !/^[\x00-\x7f]*$/.test(node.value)) return undefined
    return { property, op: RANGE[node.op]!, operand: node.value, exact: exactUnlessAbsent }
  }
  // Items of another type never match in filter.md, so `in` may leave them out.
  const values = [...new Set(node.values.filter((value) => typeof value === field.type))]
  if (values.some((value) => !fits(value))) return undefined
  if (!node.negated) return values.length === 0 ? undefined : { property, op: '$in', operand: values, exact: true }
  // `not in` holds for no present value once an item has another type; empty, it says only "present".
  if (values.length === 0 || node.values.some((value) => typeof value !== field.type)) return undefined
  return { property, op: '$nin', operand: values, exact: exactUnlessAbsent }
}

/** `p = a or p in [b, c]` is `p in [a, b, c]`. */
function union(operands: readonly FilterNode[], indexed: ReadonlySet<string>): Pushed | undefined {
  let property: VectorizeIndexedProperty | undefined
  const values = new Set<VectorizeScalar>()
  for (const operand of operands) {
    const pushed = translate(operand, indexed)
    if (!pushed || !pushed.exact || (pushed.op !== '$eq' && pushed.op !== '$in')) return undefined
    if (property !== undefined && pushed.property !== property) return undefined
    property = pushed.property
    for (const value of Array.isArray(pushed.operand) ? pushed.operand : [pushed.operand]) values.add(value)
  }
  return property === undefined ? undefined : { property, op: '$in', operand: [...values], exact: true }
}

function propertyOf(target: Target): VectorizeIndexedProperty | undefined {
  if (target.kind === 'file') {
    if (target.name === 'id') return 'file_id'
    if (target.name === 'purpose' || target.name === 'created_at') return target.name
    return undefined
  }
  if (target.kind === 'chunk') return target.name
  return undefined
}
