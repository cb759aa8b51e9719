/**
 * @module The filter language's public surface: parse an expression, print it, evaluate it, and
 * compile it to SQL for D1 or to a Vectorize pushdown plus a residual.
 */
export type { CompareOp, ConditionNode, FilterNode, PathSegment, Scalar, Target } from './ast'
export { CHUNK_ATTRIBUTES, FILE_ATTRIBUTES } from './ast'
export { FilterLimitError, FilterSyntaxError } from './errors'
export type { FilterLimit } from './errors'
export { evaluateFilter } from './evaluate'
export type { FilterRecord } from './evaluate'
export { FILTER_LIMITS } from './limits'
export { parseFilter } from './parser'
export type { ParseOptions } from './parser'
export { printFilter } from './printer'
export { compileToSql, tableColumns } from './to-sql'
export type { CompiledSql, SqlColumns } from './to-sql'
export { compileToVectorize, vectorFilterMetadata, VECTORIZE_INDEXED_FIELDS } from './to-vectorize'
export type { VectorFilterSource, VectorizeOptions, VectorizePlan } from './to-vectorize'
export { vectorizeFilterMatches } from './vectorize-semantics'
export type { VectorizeFilter } from './vectorize-semantics'
