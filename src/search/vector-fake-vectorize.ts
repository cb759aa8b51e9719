/**
 * @module `fakeVectorize()`: an in-memory stand-in for a Vectorize (V2) index binding, for tests, since
 * Vectorize has no local simulation. It refuses what Vectorize documents it refuses — topK over 100
 * (20 with values or all metadata), upserts over 1,000 vectors, ids and namespaces over 64 bytes,
 * metadata over 10 KiB or with bad keys, vectors of the wrong size, too many namespaces, filters that
 * are empty, 2048 bytes or more, use unknown operators, mix range bounds wrongly or have bad keys — and
 * filters with Vectorize's semantics (`vectorizeFilterMatches`: `$ne`/`$nin` pass a missing key,
 * strings compared on their first 64 bytes). Only properties with a metadata index can be filtered on;
 * a vector is found through an index only if its value has the index's type.
 *
 * Unlike Vectorize it applies mutations at once, where the real index takes seconds.
 * Sources: developers.cloudflare.com/vectorize/platform/limits, /reference/metadata-filtering,
 * /reference/client-api, /best-practices/insert-vectors.
 */
import { vectorizeFilterMatches, type VectorizeFilter } from '../filter'
import { truncateUtf8, utf8Length, VECTORIZE_STRING_INDEX_BYTES } from '../filter/vectorize-semantics'
import { cosine } from './vector-store'

export type MetadataIndex = { propertyName: string; type: 'string' | 'number' | 'boolean' }

export type FakeVectorizeOptions = {
  dimensions: number
  /** The index's metadata indexes; default none, as a fresh index has. */
  metadataIndexes?: readonly MetadataIndex[]
  /** 50,000 on Workers Paid, 1,000 on Free. */
  maxNamespaces?: number
}

type Stored = { id: string; values: Float32Array; namespace: string | undefined; metadata: Record<string, VectorizeVectorMetadata> | undefined }

export const FAKE_VECTORIZE_LIMITS = {
  upsertBatch: 1000,
  idBytes: 64,
  namespaceBytes: 64,
  metadataBytes: 10 * 1024,
  topK: 100,
  topKWithValuesOrMetadata: 20,
  filterBytes: 2048,
  filterKeyChars: 512,
  maxDimensions: 1536,
} as const

const OPERATORS = new Set(['$eq', '$ne', '$in', '$nin', '$lt', '$lte', '$gt', '$gte'])

export class VectorizeLimitError extends Error {
  override readonly name = 'VectorizeLimitError'
}

/** Every call the fake received, for tests that check how an adapter batches. */
export type FakeVectorizeCall = { method: 'upsert' | 'insert' | 'deleteByIds' | 'query' | 'getByIds'; count: number; options?: VectorizeQueryOptions }

export type FakeVectorize = Vectorize & { readonly calls: FakeVectorizeCall[]; readonly size: number }

export function fakeVectorize(options: FakeVectorizeOptions): FakeVectorize {
  if (options.dimensions < 1 || options.dimensions > FAKE_VECTORIZE_LIMITS.maxDimensions) throw new VectorizeLimitError(`dimensions must be 1 to ${FAKE_VECTORIZE_LIMITS.maxDimensions}`)
  const indexes = new Map((options.metadataIndexes ?? []).map((m) => [m.propertyName, m.type]))
  const maxNamespaces = options.maxNamespaces ?? 50_000
  const vectors = new Map<string, Stored>()
  const calls: FakeVectorizeCall[] = []
  let mutation = 0

  function write(input: VectorizeVector[], replace: boolean): VectorizeAsyncMutation {
    if (input.length > FAKE_VECTORIZE_LIMITS.upsertBatch) throw new VectorizeLimitError(`VECTOR_UPSERT_ERROR: at most ${FAKE_VECTORIZE_LIMITS.upsertBatch} vectors per batch from a Worker, got ${input.length}`)
    const namespaces = new Set([...vectors.values()].map((v) => v.namespace).filter((n) => n !== undefined))
    const prepared = input.map((v) => {
      checkId(v.id)
      if (v.namespace !== undefined) checkNamespace(v.namespace)
      if (v.values.length !== options.dimensions) throw new VectorizeLimitError(`VECTOR_UPSERT_ERROR: vector "${v.id}" has ${v.values.length} dimensions, the index ${options.dimensions}`)
      const values = Float32Array.from(v.values as ArrayLike<number>)
      if (values.some((x) => !Number.isFinite(x))) throw new VectorizeLimitError(`VECTOR_UPSERT_ERROR: vector "${v.id}" has a value that is not a finite number`)
      if (v.metadata !== undefined) checkMetadata(v.id, v.metadata)
      if (v.namespace !== undefined) namespaces.add(v.namespace)
      return { id: v.id, values, namespace: v.namespace, metadata: v.metadata === undefined ? undefined : structuredClone(v.metadata) }
    })
    if (namespaces.size > maxNamespaces) throw new VectorizeLimitError(`VECTOR_UPSERT_ERROR: at most ${maxNamespaces} namespaces per index`)
    for (const v of prepared) if (replace || !vectors.has(v.id)) vectors.set(v.id, v)
    return { mutationId: `mutation-${++mutation}` }
  }

  function query(vector: VectorFloatArray | number[], queryOptions: VectorizeQueryOptions = {}): VectorizeMatches {
    calls.push({ method: 'query', count: 1, options: queryOptions })
    const topK = queryOptions.topK ?? 5
    const heavy = queryOptions.returnValues === true || queryOptions.returnMetadata === 'all' || queryOptions.returnMetadata === true
    const limit = heavy ? FAKE_VECTORIZE_LIMITS.topKWithValuesOrMetadata : FAKE_VECTORIZE_LIMITS.topK
    if (!Number.isInteger(topK) || topK < 1 || topK > limit) {
      throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: topK must be 1 to ${limit}${heavy ? ' when values or all metadata are returned' : ''}, got ${topK}`)
    }
    if (vector.length !== options.dimensions) throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: query vector has ${vector.length} dimensions, the index ${options.dimensions}`)
    if (queryOptions.namespace !== undefined) checkNamespace(queryOptions.namespace)
    const filter = queryOptions.filter === undefined ? undefined : normaliseFilter(queryOptions.filter)
    const matches = [...vectors.values()]
      // A namespace is applied before anything else; without one, every vector is searched.
      .filter((v) => queryOptions.namespace === undefined || v.namespace === queryOptions.namespace)
      .filter((v) => filter === undefined || passes(filter, v.metadata))
      .map((v) => ({ v, score: cosine(vector, v.values) }))
      .sort((a, b) => b.score - a.score || (a.v.id < b.v.id ? -1 : 1))
      .slice(0, topK)
      .map(({ v, score }): VectorizeMatch => ({
        id: v.id,
        score,
        ...(v.namespace !== undefined ? { namespace: v.namespace } : {}),
        ...(queryOptions.returnValues ? { values: [...v.values] } : {}),
        ...(metadataOf(v, queryOptions.returnMetadata) ?? {}),
      }))
    return { matches, count: matches.length }
  }

  /** Only indexed properties, and only values of the index's type, are visible to a filter. */
  function passes(filter: NormalisedFilter, metadata: Stored['metadata']): boolean {
    const visible: Record<string, unknown> = {}
    for (const property of Object.keys(filter.fields)) {
      const type = indexes.get(property)
      if (type === undefined) return false
      const value = lookup(metadata, property)
      if (typeof value === type) visible[property] = value
    }
    if (!filter.nulls.every(({ property, op }) => (visible[property] === undefined) === (op === '$eq'))) return false
    return vectorizeFilterMatches(filter.fields, visible)
  }

  function metadataOf(v: Stored, level: VectorizeQueryOptions['returnMetadata']): { metadata: Record<string, VectorizeVectorMetadata> } | undefined {
    if (!v.metadata || level === undefined || level === false || level === 'none') return undefined
    if (level === 'all' || level === true) return { metadata: structuredClone(v.metadata) }
    const indexed: Record<string, VectorizeVectorMetadata> = {}
    for (const [property] of indexes) {
      const value = lookup(v.metadata, property)
      if (value === undefined) continue
      indexed[property] = typeof value === 'string' ? truncateUtf8(value, VECTORIZE_STRING_INDEX_BYTES) : (value as VectorizeVectorMetadata)
    }
    return { metadata: indexed }
  }

  const fake = {
    calls,
    get size() {
      return vectors.size
    },
    async describe(): Promise<VectorizeIndexInfo> {
      return { vectorCount: vectors.size, dimensions: options.dimensions, processedUpToDatetime: Date.now(), processedUpToMutation: mutation }
    },
    async query(vector: VectorFloatArray | number[], queryOptions?: VectorizeQueryOptions) {
      return query(vector, queryOptions)
    },
    async queryById(id: string, queryOptions?: VectorizeQueryOptions) {
      const stored = vectors.get(id)
      return stored ? query(stored.values, queryOptions) : { matches: [], count: 0 }
    },
    async insert(input: VectorizeVector[]) {
      calls.push({ method: 'insert', count: input.length })
      return write(input, false)
    },
    async upsert(input: VectorizeVector[]) {
      calls.push({ method: 'upsert', count: input.length })
      return write(input, true)
    },
    async deleteByIds(ids: string[]) {
      calls.push({ method: 'deleteByIds', count: ids.length })
      for (const id of ids) vectors.delete(id)
      return { mutationId: `mutation-${++mutation}` }
    },
    async getByIds(ids: string[]): Promise<VectorizeVector[]> {
      calls.push({ method: 'getByIds', count: ids.length })
      return ids.flatMap((id) => {
        const v = vectors.get(id)
        return v ? [{ id: v.id, values: [...v.values], ...(v.namespace !== undefined ? { namespace: v.namespace } : {}), ...(v.metadata ? { metadata: structuredClone(v.metadata) } : {}) }] : []
      })
    },
  }
  return fake as unknown as FakeVectorize
}

type NormalisedFilter = { fields: VectorizeFilter; nulls: Array<{ property: string; op: '$eq' | '$ne' }> }

/** Checks a filter as Vectorize does and rewrites it to explicit operators (`{ k: v }` is `{ k: { $eq: v } }`). */
function normaliseFilter(filter: VectorizeVectorMetadataFilter): NormalisedFilter {
  const keys = Object.keys(filter)
  if (keys.length === 0) throw new VectorizeLimitError('VECTOR_QUERY_ERROR: filter must be a non-empty object')
  if (utf8Length(JSON.stringify(filter)) >= FAKE_VECTORIZE_LIMITS.filterBytes) throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: filter must be under ${FAKE_VECTORIZE_LIMITS.filterBytes} bytes of compact JSON`)
  const fields: Record<string, Record<string, unknown>> = {}
  const nulls: NormalisedFilter['nulls'] = []
  for (const key of keys) {
    // A dot is allowed here: it names a nested property (`{ "pandas.nice": 42 }`).
    if (key === '' || key.includes('"') || key.startsWith('$') || key.length > FAKE_VECTORIZE_LIMITS.filterKeyChars) {
      throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: invalid filter key "${key}"`)
    }
    const raw = filter[key]
    const field = raw === null || typeof raw !== 'object' ? { $eq: raw } : (raw as Record<string, unknown>)
    const ops = Object.keys(field)
    if (ops.length === 0) throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: no operator for "${key}"`)
    for (const op of ops) if (!OPERATORS.has(op)) throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: unsupported operator ${op}`)
    checkCombination(key, ops)
    const kept: Record<string, unknown> = {}
    for (const op of ops) {
      const operand = field[op]
      if (op === '$in' || op === '$nin') {
        if (!Array.isArray(operand) || !operand.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x))) {
          throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: ${op} on "${key}" takes an array of strings, numbers, booleans or null`)
        }
        kept[op] = operand.filter((x) => x !== null)
      } else if (op === '$eq' || op === '$ne') {
        if (operand === null) nulls.push({ property: key, op })
        else if (['string', 'number', 'boolean'].includes(typeof operand)) kept[op] = operand
        else throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: ${op} on "${key}" takes a string, number, boolean or null`)
      } else {
        if (typeof operand !== 'string' && typeof operand !== 'number') throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: ${op} on "${key}" takes a string or a number`)
        kept[op] = operand
      }
    }
    fields[key] = kept
  }
  // `$eq: null` / `$ne: null` are documented as allowed but not explained; read here as "missing" / "present".
  return { fields: fields as VectorizeFilter, nulls }
}

/** One of `$eq $ne $in $nin`, or range bounds with at most one lower and one upper. */
function checkCombination(key: string, ops: string[]): void {
  if (ops.length === 1) return
  const lower = ops.filter((o) => o === '$gt' || o === '$gte').length
  const upper = ops.filter((o) => o === '$lt' || o === '$lte').length
  if (lower + upper === ops.length && lower <= 1 && upper <= 1) return
  throw new VectorizeLimitError(`VECTOR_QUERY_ERROR: operators ${ops.join(', ')} cannot be combined on "${key}"`)
}

function checkId(id: string): void {
  if (typeof id !== 'string' || id === '') throw new VectorizeLimitError('VECTOR_UPSERT_ERROR: a vector needs an id')
  const bytes = utf8Length(id)
  if (bytes > FAKE_VECTORIZE_LIMITS.idBytes) throw new VectorizeLimitError(`VECTOR_UPSERT_ERROR (code = 40008): id too long; max is ${FAKE_VECTORIZE_LIMITS.idBytes} bytes, got ${bytes} bytes`)
}

function checkNamespace(namespace: string): void {
  const bytes = utf8Length(namespace)
  if (namespace === '' || bytes > FAKE_VECTORIZE_LIMITS.namespaceBytes) throw new VectorizeLimitError(`namespace must be 1 to ${FAKE_VECTORIZE_LIMITS.namespaceBytes} bytes, got ${bytes}`)
}

function checkMetadata(id: string, metadata: Record<string, VectorizeVectorMetadata>): void {
  const bytes = utf8Length(JSON.stringify(metadata))
  if (bytes > FAKE_VECTORIZE_LIMITS.metadataBytes) throw new VectorizeLimitError(`VECTOR_UPSERT_ERROR: metadata of "${id}" is ${bytes} bytes, over ${FAKE_VECTORIZE_LIMITS.metadataBytes}`)
  const walk = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return
    for (const [key, inner] of Object.entries(value)) {
      if (key === '' || key.includes('.') || key.includes('"') || key.startsWith('$')) throw new VectorizeLimitError(`VECTOR_UPSERT_ERROR: invalid metadata key "${key}" in "${id}"`)
      walk(inner)
    }
  }
  walk(metadata)
}

/** A property by its dotted path (`pandas.nice` reads `{ pandas: { nice } }`). */
function lookup(metadata: Stored['metadata'], path: string): unknown {
  let value: unknown = metadata
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined
    value = (value as Record<string, unknown>)[part]
  }
  return value
}
