/**
 * @module The filter language's parser: recursive descent over the lexer's tokens, one function per
 * grammar rule (the rule is in its doc comment), resolving paths and enforcing the limits as it goes.
 */
import type { CompareOp, FilterNode, PathSegment, Scalar, Target } from './ast'
import { columnAt, FilterLimitError, FilterSyntaxError } from './errors'
import { describeToken, Lexer } from './lexer'
import type { Keyword, Token } from './lexer'
import { likePatternFault } from './like'
import { FILTER_LIMITS, MAX_PATH_INDEX } from './limits'
import { isFault, resolvePath, resolveValue } from './resolve'

export type ParseOptions = {
  /** Allow the chunk attributes `page` and `modality` (a question's filter); refused when false (`GET /files`). Default false. */
  chunkAttributes?: boolean
}

/**
 * Parses a filter expression into its tree, or throws a `FilterSyntaxError` that says what was
 * expected, what was found and at which column.
 * @example parseFilter('metadata.author = "hegel" and bytes < 1000')
 */
export function parseFilter(text: string, options: ParseOptions = {}): FilterNode {
  return new Parser(text, options).parse()
}

const OPERATORS: Record<string, CompareOp> = { '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }
const CONDITION_START = 'a condition (a name such as metadata.author), "not" or "("'
const RESERVED = 'and, or, in, like, is, null, not, true and false are reserved'

class Parser {
  private readonly lexer: Lexer
  private token: Token
  private depth = 0
  private conditions = 0

  constructor(
    private readonly text: string,
    private readonly options: ParseOptions,
  ) {
    this.lexer = new Lexer(text)
    this.token = { kind: 'eof', start: 0, end: 0, text: '' }
  }

  parse(): FilterNode {
    this.checkLength()
    this.advance()
    // filter.md: an empty expression is an error, whitespace alone included.
    if (this.kind() === 'eof') throw new FilterSyntaxError(CONDITION_START, 'an empty expression', this.token.start, this.text)
    const node = this.parseOr()
    if (this.kind() !== 'eof') this.fail('"and", "or" or the end of the expression')
    return node
  }

  /** or := and ("or" and)* */
  private parseOr(): FilterNode {
    const first = this.parseAnd()
    if (!this.isKeyword('or')) return first
    const operands = [first]
    while (this.isKeyword('or')) {
      this.advance()
      operands.push(this.parseAnd())
    }
    return { kind: 'or', operands }
  }

  /** and := unary ("and" unary)* */
  private parseAnd(): FilterNode {
    const first = this.parseUnary()
    if (!this.isKeyword('and')) return first
    const operands = [first]
    while (this.isKeyword('and')) {
      this.advance()
      operands.push(this.parseUnary())
    }
    return { kind: 'and', operands }
  }

  /** unary := "not" unary | primary */
  private parseUnary(): FilterNode {
    if (!this.isKeyword('not')) return this.parsePrimary()
    this.enter()
    this.advance()
    const operand = this.parseUnary()
    this.depth--
    return { kind: 'not', operand }
  }

  /** primary := "(" expr ")" | condition */
  private parsePrimary(): FilterNode {
    if (this.kind() !== '(') return this.parseCondition()
    const open = this.token
    this.enter()
    this.advance()
    const node = this.parseOr()
    if (this.kind() !== ')') this.fail(`"and", "or" or ")" to close the "(" at column ${columnAt(this.text, open.start)}`)
    this.advance()
    this.depth--
    return node
  }

  /**
   * condition := path op value
   *            | path "in" list | path "not" "in" list
   *            | path "like" string | path "not" "like" string
   *            | path "is" "null" | path "is" "not" "null"
   */
  private parseCondition(): FilterNode {
    if (this.kind() !== 'name') this.fail(CONDITION_START)
    if (++this.conditions > FILTER_LIMITS.conditions) {
      throw new FilterLimitError('conditions', FILTER_LIMITS.conditions, 'another condition', this.token.start, this.text)
    }
    const target = this.parsePath()
    const token = this.peek()
    if (token.kind === 'operator') {
      this.advance()
      return this.comparison(target, OPERATORS[token.operator]!, token)
    }
    if (this.isKeyword('not')) {
      this.advance()
      if (this.isKeyword('in')) return this.parseIn(target, true)
      if (this.isKeyword('like')) return this.parseLike(target, true)
      this.fail('"in" or "like" after "not"')
    }
    if (this.isKeyword('in')) return this.parseIn(target, false)
    if (this.isKeyword('like')) return this.parseLike(target, false)
    if (this.isKeyword('is')) {
      this.advance()
      const negated = this.isKeyword('not')
      if (negated) this.advance()
      if (!this.isKeyword('null')) this.fail(negated ? '"null" after "is not"' : '"null" or "not null" after "is"')
      this.advance()
      return { kind: 'isNull', target, negated }
    }
    return this.fail('an operator (=, ==, !=, <>, <, <=, >, >=), "in", "not in", "like", "not like" or "is"')
  }

  /** `x = null` is `x is null` and `x != null` is `x is not null`; ordering against null means nothing. */
  private comparison(target: Target, op: CompareOp, operator: Token): FilterNode {
    const at = this.token
    const value = this.parseValue()
    if (value === null) {
      if (op === '=' || op === '!=') return { kind: 'isNull', target, negated: op === '!=' }
      this.fail(`a number or a string after ${operator.text} (use "is null" to test for null)`, at)
    }
    return { kind: 'compare', target, op, value: this.resolved(target, value, at) }
  }

  /** `x in [a, null]` is `x = a or x is null`; `x not in [a, null]` is `x != a`, already false where x is null. */
  private parseIn(target: Target, negated: boolean): FilterNode {
    this.advance()
    const items = this.parseList()
    const values = items.filter((item): item is { value: Scalar; token: Token } => item.value !== null)
    const node: FilterNode = {
      kind: 'in',
      target,
      values: values.map(({ value, token }) => this.resolved(target, value, token)),
      negated,
    }
    if (negated || values.length === items.length) return node
    const isNull: FilterNode = { kind: 'isNull', target, negated: false }
    return values.length === 0 ? isNull : { kind: 'or', operands: [node, isNull] }
  }

  private parseLike(target: Target, negated: boolean): FilterNode {
    this.advance()
    const token = this.token
    if (token.kind !== 'string') return this.fail(`a string pattern after ${negated ? '"not like"' : '"like"'}`)
    // A pattern SQLite would refuse or never match is refused here, where the column can be named.
    const fault = likePatternFault(token.value)
    if (fault) this.fail(fault, token)
    this.advance()
    return { kind: 'like', target, pattern: token.value, negated }
  }

  /** path := name ("." name | "[" integer "]")* */
  private parsePath(): Target {
    const segments: PathSegment[] = [this.token.text]
    const starts = [this.token.start]
    this.advance()
    for (;;) {
      const separator = this.token
      if (separator.kind === '.') {
        this.advance()
        if (this.kind() !== 'name') this.fail(`a name after "." (${RESERVED})`)
        segments.push(this.token.text)
      } else if (separator.kind === '[') {
        this.advance()
        const index = this.token
        if (index.kind !== 'number' || !index.integer) this.fail('an array index (0, 1, 2…) after "["')
        if (index.value > MAX_PATH_INDEX) this.fail(`an array index of at most ${MAX_PATH_INDEX}`)
        this.advance()
        if (this.kind() !== ']') this.fail('"]" after the index')
        segments.push(index.value)
      } else break
      starts.push(separator.start)
      this.advance()
    }
    const target = resolvePath(segments, { chunkAttributes: this.options.chunkAttributes ?? false })
    if (!isFault(target)) return target
    const position = starts[target.segment] ?? this.token.start
    throw new FilterSyntaxError(target.expected, target.found || describeToken(this.token), position, this.text)
  }

  /** list := "[" [value ("," value)*] "]" */
  private parseList(): { value: Scalar | null; token: Token }[] {
    if (this.kind() !== '[') this.fail('a list such as ["a", "b"]')
    this.advance()
    const items: { value: Scalar | null; token: Token }[] = []
    if (this.kind() === ']') {
      this.advance()
      return items
    }
    for (;;) {
      if (items.length === FILTER_LIMITS.listItems) {
        throw new FilterLimitError('items in a list', FILTER_LIMITS.listItems, 'more', this.token.start, this.text)
      }
      const token = this.token
      items.push({ value: this.parseValue(), token })
      if (this.kind() === ']') break
      if (this.kind() !== ',') this.fail('"," or "]" in the list')
      this.advance()
    }
    this.advance()
    return items
  }

  /** value := string | number | "true" | "false" | "null" */
  private parseValue(): Scalar | null {
    const token = this.token
    let value: Scalar | null
    if (token.kind === 'string' || token.kind === 'number') value = token.value
    else if (token.kind === 'keyword' && (token.keyword === 'true' || token.keyword === 'false')) value = token.keyword === 'true'
    else if (token.kind === 'keyword' && token.keyword === 'null') value = null
    else return this.fail('a value')
    this.advance()
    return value
  }

  private resolved(target: Target, value: Scalar, token: Token): Scalar {
    const out = resolveValue(target, value)
    if (out === undefined) {
      this.fail('an ISO 8601 date or date-time for created_at, such as "2024-01-31" or "2024-01-31T12:00:00Z"', token)
    }
    return out
  }

  /** Counts code points only when the code units alone could be too many. */
  private checkLength() {
    const max = FILTER_LIMITS.characters
    if (this.text.length <= max) return
    const count = columnAt(this.text, this.text.length) - 1
    if (count <= max) return
    // The first character past the limit: skip `max` code points.
    let overflowAt = 0
    for (let seen = 0; seen < max; seen++) overflowAt += this.text.codePointAt(overflowAt)! > 0xffff ? 2 : 1
    throw new FilterLimitError('characters', max, `${count} characters`, overflowAt, this.text)
  }

  private enter() {
    if (this.depth === FILTER_LIMITS.nesting) {
      throw new FilterLimitError('levels of nesting', FILTER_LIMITS.nesting, `${describeToken(this.token)} opening one more`, this.token.start, this.text)
    }
    this.depth++
  }

  /** The lookahead's kind, read through a call so that checks made before an `advance()` do not linger. */
  private kind(): Token['kind'] {
    return this.token.kind
  }

  private peek(): Token {
    return this.token
  }

  private isKeyword(keyword: Keyword): boolean {
    const token = this.token
    return token.kind === 'keyword' && token.keyword === keyword
  }

  private advance() {
    this.token = this.lexer.next()
  }

  private fail(expected: string, token: Token = this.token): never {
    throw new FilterSyntaxError(expected, describeToken(token), token.start, this.text)
  }
}
