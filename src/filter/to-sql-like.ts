/**
 * @module The SQL for `like`: SQLite's own LIKE for patterns it accepts (at most 50 bytes in D1), and
 * for longer ones a recursive CTE that matches the plan of like-plan.ts piece by piece.
 *
 * The CTE is written once per compiled filter, whatever the number of conditions, so 256 `like`s stay
 * inside D1's statement limit, and read once per row, where the parameter is bound (`LIKE_MATCHES`). It reads every condition whose literal is a long plan, takes the
 * condition's values (as `json_each` gives them: a list's elements, or the scalar), keeps the text
 * values whose anchored pieces match, and walks each one: state `(k, v, n, i, p)` says that condition
 * k's value v has i of its n middle segments placed and the next may start at character p. A segment that
 * matches at p moves i on and p past it; one that does not moves p by one, while the segment still fits
 * before the anchored end. A value matches when i reaches the number of middle segments.
 */
import type { SqlColumns } from './sql-columns'

/** Aliases of the CTE; column expressions must not use them (checked with the compiler's own). */
export const LIKE_ALIASES = ['_fl', '_fc', '_fv', '_fx'] as const
const [WALK, CONDITION, VALUE, PIECE] = LIKE_ALIASES

/** The pieces at `pieces` (a JSON path expression into `json`) all match `value` from `start` on. */
function piecesMatch(json: string, pieces: string, value: string, start: string | null): string {
  const position = start === null ? `${PIECE}.value->>0` : `${start}+(${PIECE}.value->>0)`
  return `NOT EXISTS(SELECT 1 FROM json_each(${json},${pieces})${PIECE} WHERE substr(${value},${position},${PIECE}.value->>1) NOT LIKE ${PIECE}.value->>2 ESCAPE '\\')`
}

/**
 * `_fl(k,v,n,i,p) AS (…)`, to sit in the compiled filter's WITH after `param(a)`, the JSON parameter.
 * Condition k's entry in it is `[path, null, eligible types, plan, column]`: the plan is a
 * `LongLikePlan`, and `column` names the attribute a non-metadata target reads (0 for the metadata).
 */
export function likeWalkCte(columns: SqlColumns, param: string): string {
  const args = `${param}.a`
  const cases = Object.entries(columns)
    .filter(([name, expression]) => name !== 'metadata' && expression !== undefined)
    .map(([name, expression]) => ` WHEN '${name}' THEN json_array(${expression})`)
    .join('')
  const column = `${CONDITION}.value->>'$[4]'`
  const plan = (field: string) => `(${CONDITION}.value->>'$[3].${field}')`
  const seed =
    `SELECT ${CONDITION}.key,${VALUE}.value,json_array_length(${CONDITION}.value,'$[3].m'),0,${plan('h')}+1 ` +
    `FROM ${param},json_each(${args})${CONDITION},` +
    `json_each(CASE ${column}${cases} ELSE ${columns.metadata} END,CASE ${column} WHEN 0 THEN ${CONDITION}.value->>'$[0]' ELSE '$' END)${VALUE} ` +
    `WHERE json_type(${CONDITION}.value,'$[3].m')='array' AND ${VALUE}.type='text' ` +
    `AND length(${VALUE}.value)>=${plan('n')} AND (${plan('x')}=0 OR length(${VALUE}.value)=${plan('n')}) ` +
    `AND ${piecesMatch(`${CONDITION}.value`, `'$[3].a'`, `${VALUE}.value`, null)}`
  const segment = `'$['||k||'][3].m['||i||']`
  const length = `(${args}->>(${segment}[0]'))`
  const matches = piecesMatch(args, `${segment}[1]'`, 'v', 'p')
  const step =
    `SELECT k,v,n,i+${matches},p+CASE WHEN ${matches} THEN ${length} ELSE 1 END FROM ${WALK},${param} ` +
    `WHERE i<n AND p+${length}-1<=length(v)-(${args}->>('$['||k||'][3].t'))`
  return `${WALK}(k,v,n,i,p) AS(${seed} UNION ALL ${step})`
}

/**
 * Which long patterns some value of their condition matches, as one JSON object `{"k": 1}`. It is
 * computed once per row, beside the parameter, and never inside a condition: SQLite counts the depth
 * of a CTE's expressions into every expression that names it, and a condition may sit 64 levels deep.
 * The CTE takes exactly the values the condition's rows are (text only), so "some value matches" is
 * the whole answer, for `like` as for `not like`.
 */
export const LIKE_MATCHES = `(SELECT json_group_object(k,1) FROM(SELECT DISTINCT k FROM ${WALK} WHERE i=n))`

/** Whether condition k's long pattern matched some value; `matches` is `LIKE_MATCHES` as a column. */
export const longLikeMatched = (matches: string, k: number) => `${matches}->>'$.${k}'`
