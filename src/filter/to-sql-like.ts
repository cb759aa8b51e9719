/**
 * @module The SQL for `like`: SQLite's own LIKE for patterns it accepts (at most 50 bytes in D1), and
 * for longer ones a recursive CTE that matches the plan of like-plan.ts piece by piece.
 *
 * The CTE is written once per compiled filter, whatever the number of conditions, so 256 `like`s stay
 * inside D1's statement limit. It reads every condition whose literal is a long plan, takes the
 * condition's values (as `json_each` gives them: a list's elements, or the scalar), keeps the text
 * values whose anchored pieces match, and walks each one: state `(k, v, i, p)` says that condition k's
 * value v has its first i middle segments placed and the next may start at character p. A segment that
 * matches at p moves i on and p past it; one that does not moves p by one, while the segment still fits
 * before the anchored end. A value matches when i reaches the number of middle segments.
 */
import type { SqlColumns } from './to-sql'

/** Aliases of the CTE; column expressions must not use them (checked with the compiler's own). */
export const LIKE_ALIASES = ['_fl', '_fm', '_fc', '_fv', '_fx'] as const
const [WALK, DONE, CONDITION, VALUE, PIECE] = LIKE_ALIASES

/** The pieces at `pieces` (a JSON path expression into `json`) all match `value` from `start` on. */
function piecesMatch(json: string, pieces: string, value: string, start: string | null): string {
  const position = start === null ? `${PIECE}.value->>0` : `${start}+(${PIECE}.value->>0)`
  return `NOT EXISTS(SELECT 1 FROM json_each(${json},${pieces})${PIECE} WHERE substr(${value},${position},${PIECE}.value->>1) NOT LIKE ${PIECE}.value->>2 ESCAPE '\\')`
}

/**
 * `_fl(k,v,i,p) AS (…)`, to sit in the compiled filter's WITH after `table(a)`, the JSON parameter.
 * Condition k's entry in it is `[path, plan, eligible types, column]`: `column` names the attribute a
 * non-metadata target reads, and the plan is a `LongLikePlan`.
 */
export function likeMatchesCte(columns: SqlColumns, table: string): string {
  const args = `${table}.a`
  const cases = Object.entries(columns)
    .filter(([name, expression]) => name !== 'metadata' && expression !== undefined)
    .map(([name, expression]) => ` WHEN '${name}' THEN json_array(${expression})`)
    .join('')
  const column = `${CONDITION}.value->>'$[4]'`
  const plan = (field: string) => `(${CONDITION}.value->>'$[3].${field}')`
  const seed =
    `SELECT ${CONDITION}.key,${VALUE}.value,0,${plan('h')}+1 ` +
    `FROM ${table},json_each(${args})${CONDITION},` +
    `json_each(CASE ${column}${cases} ELSE ${columns.metadata} END,CASE ${column} WHEN 0 THEN ${CONDITION}.value->>'$[0]' ELSE '$' END)${VALUE} ` +
    `WHERE json_type(${CONDITION}.value,'$[3].m')='array' AND ${VALUE}.type='text' ` +
    `AND length(${VALUE}.value)>=${plan('n')} AND (${plan('x')}=0 OR length(${VALUE}.value)=${plan('n')}) ` +
    `AND ${piecesMatch(`${CONDITION}.value`, `'$[3].a'`, `${VALUE}.value`, null)}`
  const segment = `'$['||k||'][3].m['||i||']`
  const length = `(${args}->>(${segment}[0]'))`
  const matches = piecesMatch(args, `${segment}[1]'`, 'v', 'p')
  const step =
    `SELECT k,v,i+${matches},p+CASE WHEN ${matches} THEN ${length} ELSE 1 END FROM ${WALK},${table} ` +
    `WHERE i<json_array_length(${args},'$['||k||'][3].m') AND p+${length}-1<=length(v)-(${args}->>('$['||k||'][3].t'))`
  const done = `SELECT k,v FROM ${WALK},${table} WHERE i=json_array_length(${args},'$['||k||'][3].m')`
  return `${WALK}(k,v,i,p) AS(${seed} UNION ALL ${step}),${DONE}(k,v) AS(${done})`
}

/**
 * Whether the row value `value` (text) matches condition k's pattern: by LIKE when the literal is the
 * pattern itself, else by the CTE.
 */
export function likeRowMatches(value: string, args: string, k: number): string {
  // LIKE with a NULL pattern is NULL, so coalesce asks the CTE only for a long pattern.
  return `coalesce(${value} LIKE ${args}->>'$[${k}][1]' ESCAPE '\\',(${k},${value})IN ${DONE})`
}
