/**
 * @module The filter language's tree: what the parser builds and every compiler reads.
 * Paths are resolved when parsed, so a condition names a file attribute, a chunk attribute or a metadata path.
 */

/** A literal value. `null` never appears: `x = null` is parsed as `x is null`. */
export type Scalar = string | number | boolean

export const FILE_ATTRIBUTES = ['id', 'filename', 'bytes', 'created_at', 'purpose', 'status', 'user_id'] as const
export type FileAttribute = (typeof FILE_ATTRIBUTES)[number]

/** Attributes of a chunk: only a question's filter, which selects chunks, may use them. */
export const CHUNK_ATTRIBUTES = ['page', 'modality'] as const
export type ChunkAttribute = (typeof CHUNK_ATTRIBUTES)[number]

/** One step into the metadata: a key (a name) or a 0-based array index. */
export type PathSegment = string | number

/** What a condition tests. */
export type Target =
  | { kind: 'file'; name: FileAttribute }
  | { kind: 'chunk'; name: ChunkAttribute }
  /** `path` is never empty; `metadata.tags[0]` is `['tags', 0]`. */
  | { kind: 'metadata'; path: PathSegment[] }

/** `==` is read as `=` and `<>` as `!=`. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>='

export type OrNode = { kind: 'or'; operands: FilterNode[] }
export type AndNode = { kind: 'and'; operands: FilterNode[] }
export type NotNode = { kind: 'not'; operand: FilterNode }
export type CompareNode = { kind: 'compare'; target: Target; op: CompareOp; value: Scalar }
/** `in` with `negated` is `not in`. The list may be empty; it holds no `null`s (see the parser). */
export type InNode = { kind: 'in'; target: Target; values: Scalar[]; negated: boolean }
export type LikeNode = { kind: 'like'; target: Target; pattern: string; negated: boolean }
export type IsNullNode = { kind: 'isNull'; target: Target; negated: boolean }

export type ConditionNode = CompareNode | InNode | LikeNode | IsNullNode
/** `or` and `and` have at least two operands. */
export type FilterNode = OrNode | AndNode | NotNode | ConditionNode

export const isCondition = (node: FilterNode): node is ConditionNode =>
  node.kind !== 'or' && node.kind !== 'and' && node.kind !== 'not'

/** The conditions of a tree in the order they appear in its text. */
export function conditionsOf(node: FilterNode): ConditionNode[] {
  const out: ConditionNode[] = []
  const visit = (n: FilterNode): void => {
    if (n.kind === 'or' || n.kind === 'and') n.operands.forEach(visit)
    else if (n.kind === 'not') visit(n.operand)
    else out.push(n)
  }
  visit(node)
  return out
}
