/**
 * @module Compiles a filter tree to a SQLite (D1) boolean expression with one bound parameter: every
 * path and value travels in one JSON document, so no input can change the query's shape.
 *
 * Shape. The SQL text depends only on the tree's structure — node kinds, operators, which column or
 * "a metadata path" each condition tests, and each condition's ordinal `k` — never on a path, a value or
 * a value's type. Condition k reads its pieces from the JSON parameter `a`:
 *   a[k][0]  the JSON path into the metadata, `$."tags"[0]` (unused for columns);
 *   a[k][1]  the literal(s) keyed by the SQLite JSON type they may meet: `{"integer":5,"real":5}`,
 *            `{"text":"x"}`, `{"true":true,"false":true}`; for `in` lists of values under the same keys;
 *            for `like` the pattern, or null when it is longer than D1's LIKE accepts;
 *   a[k][2]  the types of value for which the condition can hold at all (`array` plus some scalar types);
 *   a[k][3]  for a long `like` pattern only: how to match it in pieces (like-plan.ts), and
 *   a[k][4]  the column its target reads (0 for the metadata).
 * Looking a value's type up in these maps is what makes a comparison between types false, and what
 * keeps `true` from equalling `1` (SQLite reads JSON `true` as the integer 1).
 *
 * Each condition reads the value as rows: `json_each(metadata, path)` gives an array's elements, or one
 * row for a scalar; a column is wrapped as `json_each(json_array(column))`. Then
 *   positive (=, <, in, like …):   eligible(type) AND EXISTS(row that matches)
 *   negative (!=, not in, not like): eligible(type) AND NOT EXISTS(row that matches the positive form)
 * which gives "any element" for lists, "no element" for their negative forms, and, through the
 * eligibility map, false for null, missing, objects and mismatched scalars. Every condition yields
 * 0 or 1, never NULL, so `NOT` keeps filter.md's two-valued meaning.
 *
 * Wrapper. `EXISTS(WITH RECURSIVE _fp(a) AS(SELECT ?),<like CTE> SELECT 1 FROM(SELECT <tree> AS r
 * FROM(SELECT a,<long like matches> AS m FROM _fp)_fa)_fr WHERE _fr.r)`: the one parameter is bound
 * once, and every condition reads it as `_fa.a`. The CTE (to-sql-like.ts) matches like patterns longer
 * than D1's LIKE accepts, and `_fa.m` holds what it found, read where no condition's depth counts it.
 * `m` is computed only when the parameter ends in a 1, which it does when a pattern is long. `OFFSET 0`
 * keeps SQLite from flattening that subquery, which would copy `m`'s subquery, CTE and
 * all, into every condition that reads it.
 *
 * Limits. D1 binds at most 100 parameters per statement; this binds exactly one, whatever the size of
 * the filter. 256 conditions of the largest kind (`not like`) compile to under 76 KB, inside D1's 100 KB
 * statement limit. SQLite refuses expressions more than 100 levels deep, and counts a subquery's expression once
 * more for every expression it sits in; the tree is therefore evaluated in a FROM subquery (whose depth
 * no enclosing expression counts) and joined up as a balanced tree (see `balance`). The deepest filter
 * the language allows (64 levels of nesting, then 190 conditions side by side) leaves about 12 levels
 * for the caller's own WHERE clause; the differential test runs such filters against D1.
 */
import type { ConditionNode, FilterNode, Scalar, Target } from './ast'
import { isNegative } from './evaluate'
import { likePlan } from './like-plan'
import type { SqlColumns } from './sql-columns'
import { LIKE_ALIASES, LIKE_MATCHES, longLikeMatched, likeWalkCte } from './to-sql-like'

export { tableColumns, type SqlColumns } from './sql-columns'

export type CompiledSql = {
  /**
   * A boolean expression (0 or 1, never NULL) to AND into a statement's WHERE clause; its one
   * placeholder is `?`. It refers to the tables of `SqlColumns` and may sit inside a subquery.
   */
  sql: string
  /** The values for the placeholders in `sql`, in order. */
  params: string[]
}

/** The aliases the compiled SQL introduces; column expressions must not use them. */
const PARAM = '_fp'
const ARGS = '_fa'
const ROW = '_fe'
const RESULT = '_fr'
const A = `${ARGS}.a`
const RESERVED = [PARAM, ARGS, ROW, RESULT, ...LIKE_ALIASES]

const NUMBER_TYPES = ['integer', 'real'] as const
const SCALAR_TYPES = ['integer', 'real', 'text', 'true', 'false'] as const

/**
 * @example
 * const { sql, params } = compileToSql(parseFilter('author = "hegel"'), columns)
 * await db.prepare(`SELECT f.id FROM files f WHERE f.workspace_id = ? AND ${sql}`).bind(workspace, ...params).all()
 */
export function compileToSql(node: FilterNode, columns: SqlColumns): CompiledSql {
  checkColumns(columns)
  const args: unknown[] = []
  const expression = compileNode(node, columns, args)
  // A trailing 1 (after the conditions' entries, which are lists) asks for the long-pattern CTE;
  // without it the CTE never runs, so filters without long patterns pay nothing for it.
  if (args.some((entry) => Array.isArray(entry) && entry.length > 3)) args.push(1)
  return {
    sql:
      `EXISTS(WITH RECURSIVE ${PARAM}(a) AS(SELECT ?),${likeWalkCte(columns, PARAM)} ` +
      `SELECT 1 FROM(SELECT ${expression.sql} AS r FROM(SELECT a,CASE WHEN a->>'$[#-1]'=1 THEN ${LIKE_MATCHES} END AS m FROM ${PARAM} LIMIT -1 OFFSET 0)${ARGS})${RESULT} WHERE ${RESULT}.r)`,
    params: [JSON.stringify(args)],
  }
}

type Compiled = { sql: string; height: number }

/** Compiles a subtree, tracking how deep SQLite will count its expression. */
function compileNode(node: FilterNode, columns: SqlColumns, args: unknown[]): Compiled {
  switch (node.kind) {
    case 'or':
    case 'and':
      return balance(
        node.operands.map((operand) => compileNode(operand, columns, args)),
        node.kind === 'or' ? 'OR' : 'AND',
      )
    case 'not': {
      // In two-valued logic `not not c` is `c`.
      if (node.operand.kind === 'not') return compileNode(node.operand.operand, columns, args)
      const operand = compileNode(node.operand, columns, args)
      return { sql: `NOT ${operand.sql}`, height: operand.height + 1 }
    }
    default:
      return { sql: compileCondition(node, columns, args), height: CONDITION_HEIGHT }
  }
}

/** A condition's own depth in SQLite's count, subqueries included (measured, rounded up). */
const CONDITION_HEIGHT = 8

/**
 * SQLite reads `a OR b OR c` as a chain as deep as it is long. Operands are joined instead two at a
 * time, the shallowest first (as Huffman codes are built): siblings cost the logarithm of their number,
 * and a deeply nested operand only one level more than itself, so n levels of nesting cost about n.
 */
function balance(operands: Compiled[], op: 'AND' | 'OR'): Compiled {
  // Stable in the input order among equal heights, so the text depends on the tree's shape alone.
  const queue = [...operands].sort((x, y) => x.height - y.height)
  while (queue.length > 1) {
    const a = queue.shift()!
    const b = queue.shift()!
    const joined = { sql: `(${a.sql} ${op} ${b.sql})`, height: Math.max(a.height, b.height) + 1 }
    const at = queue.findIndex((c) => c.height > joined.height)
    queue.splice(at === -1 ? queue.length : at, 0, joined)
  }
  return queue[0]!
}

function compileCondition(node: ConditionNode, columns: SqlColumns, args: unknown[]): string {
  const k = args.length
  args.push([jsonPath(node.target), literals(node), eligibleTypes(node), ...likeEntry(node)])
  const { type, rows } = subject(node.target, columns, k)
  if (node.kind === 'isNull') return `(coalesce(${type},'null')${node.negated ? '<>' : '='}'null')`
  const eligible = `coalesce(${A}->>('$[${k}][2].'||${type}),0)`
  // A long like pattern is matched beside the parameter; its answer joins the rows' as a second SELECT,
  // which adds no depth to the condition (an OR would).
  const long = node.kind === 'like' ? ` UNION ALL SELECT 1 WHERE ${longLikeMatched(`${ARGS}.m`, k)}` : ''
  return `(${eligible} AND ${isNegative(node) ? 'NOT ' : ''}EXISTS(SELECT 1 FROM ${rows}${ROW} WHERE ${rowMatches(node, k)}${long}))`
}

/** The value's type (a JSON type, or `typeof` for a column) and the value as rows with `type` and `value`. */
function subject(target: Target, columns: SqlColumns, k: number): { type: string; rows: string } {
  if (target.kind === 'metadata') {
    const path = `${A}->>'$[${k}][0]'`
    return { type: `json_type(${columns.metadata},${path})`, rows: `json_each(${columns.metadata},${path})` }
  }
  const column = columns[target.name]
  if (column === undefined) throw new Error(`compileToSql: no column given for the chunk attribute ${target.name}`)
  return { type: `typeof(${column})`, rows: `json_each(json_array(${column}))` }
}

/** Whether one row (an element, or the scalar itself) passes the positive form of the condition. */
function rowMatches(node: Exclude<ConditionNode, { kind: 'isNull' }>, k: number): string {
  switch (node.kind) {
    case 'compare': {
      const op = node.op === '!=' ? '=' : node.op
      return `${ROW}.value${op}${A}->>('$[${k}][1].'||${ROW}.type)`
    }
    case 'in':
      return `${ROW}.value IN(SELECT value FROM json_each(${A},'$[${k}][1].'||${ROW}.type))`
    case 'like':
      // For a long pattern the literal is null, so LIKE matches no row here.
      return `${ROW}.type='text' AND ${ROW}.value LIKE ${A}->>'$[${k}][1]' ESCAPE '\\'`
  }
}

/** `$."tags"[0]`: keys are always quoted, so no key can be read as path syntax. */
function jsonPath(target: Target): string | 0 {
  if (target.kind !== 'metadata') return 0
  return target.path.reduce<string>((out, segment) => (typeof segment === 'number' ? `${out}[${segment}]` : `${out}.${JSON.stringify(segment)}`), '$')
}

function typesOf(value: Scalar): readonly string[] {
  if (typeof value === 'number') return NUMBER_TYPES
  if (typeof value === 'string') return ['text']
  return ['true', 'false']
}

function literals(node: ConditionNode): unknown {
  switch (node.kind) {
    case 'isNull':
      return 0
    case 'like': {
      const plan = likePlan(node.pattern)
      return typeof plan === 'string' ? plan : null
    }
    case 'compare': {
      // Booleans are compared only by = and !=: an ordering meets no type at all.
      if (typeof node.value === 'boolean' && node.op !== '=' && node.op !== '!=') return {}
      return Object.fromEntries(typesOf(node.value).map((type) => [type, node.value]))
    }
    case 'in': {
      const lists: Record<string, Scalar[]> = {}
      for (const value of node.values) for (const type of typesOf(value)) (lists[type] ??= []).push(value)
      return lists
    }
  }
}

/**
 * A long like pattern's plan and the column its target reads (0 for metadata): the shared CTE of
 * to-sql-like.ts matches it, and must find the condition's values itself.
 */
function likeEntry(node: ConditionNode): unknown[] {
  if (node.kind !== 'like') return []
  const plan = likePlan(node.pattern)
  if (typeof plan === 'string') return []
  return [plan, node.target.kind === 'metadata' ? 0 : node.target.name]
}

/** The types a value may have for the condition to hold; lists (`array`) always may. */
function eligibleTypes(node: ConditionNode): unknown {
  if (node.kind === 'isNull') return 0
  let types: readonly string[] = SCALAR_TYPES
  if (node.kind === 'compare' && node.op === '!=') types = typesOf(node.value)
  else if (node.kind === 'like' && node.negated) types = ['text']
  else if (node.kind === 'in' && node.negated) {
    // `x not in [a, b]` is `x != a and x != b`: a scalar must share the type of every item.
    const kinds = new Set(node.values.map((value) => typeof value))
    const [only] = node.values
    types = kinds.size === 0 ? SCALAR_TYPES : kinds.size === 1 && only !== undefined ? typesOf(only) : []
  }
  return Object.fromEntries(['array', ...types].map((type) => [type, 1]))
}

function checkColumns(columns: SqlColumns) {
  for (const [name, expression] of Object.entries(columns)) {
    if (typeof expression === 'string' && new RegExp(`\\b(${RESERVED.join('|')})\\b`).test(expression)) {
      throw new Error(`compileToSql: the column expression for ${name} uses one of ${RESERVED.join(', ')}, which the compiled SQL binds itself`)
    }
  }
}
