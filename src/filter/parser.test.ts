import { describe, expect, it } from 'vitest'
import type { FilterNode } from './ast'
import { FilterLimitError, FilterSyntaxError } from './errors'
import { parseFilter } from './parser'

const meta = (...path: (string | number)[]) => ({ kind: 'metadata' as const, path })
const file = <N extends 'id' | 'filename' | 'bytes' | 'created_at' | 'purpose' | 'status' | 'user_id'>(name: N) => ({ kind: 'file' as const, name })

/** The error a text raises, or a failure when it parses. */
function errorOf(text: string, options = {}): FilterSyntaxError {
  try {
    parseFilter(text, options)
  } catch (err) {
    if (err instanceof FilterSyntaxError) return err
    throw err
  }
  return expect.fail(`expected ${JSON.stringify(text)} not to parse`)
}

describe('the examples of filter.md', () => {
  const examples = [
    'name = "John"',
    'age > 30 and status = "active"',
    '(age > 30 and status = "active") or role = "admin"',
    'status in ["active", "pending", "in_review"]',
    'tags in []',
    'name like "%Smith%"',
    'email like "%@example.com"',
    'address is null',
    'email is not null',
    'user.profile.address = "New York"',
    'metadata.tags[0] = "important"',
    'order.items[0].product.name = "Widget"',
    '(status in ["active", "pending"] and created_date > "2023-01-01") or\n(is_priority = true and (assigned_to = "John" or assigned_to is null))',
    "metadata.author != 'hegel'",
  ]
  it.each(examples)('parses %j', (text) => {
    expect(() => parseFilter(text)).not.toThrow()
  })

  it('reads them as the page says', () => {
    expect(parseFilter('name = "John"')).toEqual({ kind: 'compare', target: meta('name'), op: '=', value: 'John' })
    expect(parseFilter('age > 30 and status = "active"')).toEqual({
      kind: 'and',
      operands: [
        { kind: 'compare', target: meta('age'), op: '>', value: 30 },
        { kind: 'compare', target: file('status'), op: '=', value: 'active' },
      ],
    })
    expect(parseFilter('tags in []')).toEqual({ kind: 'in', target: meta('tags'), values: [], negated: false })
    expect(parseFilter('email is not null')).toEqual({ kind: 'isNull', target: meta('email'), negated: true })
    expect(parseFilter('order.items[0].product.name = "Widget"')).toEqual({
      kind: 'compare',
      target: meta('order', 'items', 0, 'product', 'name'),
      op: '=',
      value: 'Widget',
    })
    expect(parseFilter("metadata.author != 'hegel'")).toEqual({ kind: 'compare', target: meta('author'), op: '!=', value: 'hegel' })
  })
})

describe('precedence and grouping', () => {
  const a = { kind: 'compare', target: meta('a'), op: '=', value: 1 } as const
  const b = { kind: 'compare', target: meta('b'), op: '=', value: 2 } as const
  const c = { kind: 'compare', target: meta('c'), op: '=', value: 3 } as const

  it('binds and tighter than or, and not tighter than and', () => {
    expect(parseFilter('a = 1 or b = 2 and c = 3')).toEqual({ kind: 'or', operands: [a, { kind: 'and', operands: [b, c] }] })
    expect(parseFilter('not a = 1 and b = 2')).toEqual({ kind: 'and', operands: [{ kind: 'not', operand: a }, b] })
    expect(parseFilter('not (a = 1 and b = 2)')).toEqual({ kind: 'not', operand: { kind: 'and', operands: [a, b] } })
  })

  it('keeps a parenthesised group as its own node', () => {
    expect(parseFilter('(a = 1 and b = 2) and c = 3')).toEqual({ kind: 'and', operands: [{ kind: 'and', operands: [a, b] }, c] })
    expect(parseFilter('((a = 1))')).toEqual(a)
  })

  it('takes keywords in any case and whitespace anywhere', () => {
    expect(parseFilter('A = 1\n\tOR\r\nb = 2 AnD NOT c = 3')).toEqual({
      kind: 'or',
      operands: [{ ...a, target: meta('A') }, { kind: 'and', operands: [b, { kind: 'not', operand: c }] }],
    })
    expect(parseFilter('a IS NOT NULL')).toEqual({ kind: 'isNull', target: meta('a'), negated: true })
    expect(parseFilter('a NOT IN [TRUE, False]')).toEqual({ kind: 'in', target: meta('a'), values: [true, false], negated: true })
  })
})

describe('conditions', () => {
  it('reads every operator', () => {
    const ops = { '=': '=', '==': '=', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }
    for (const [written, op] of Object.entries(ops)) {
      expect(parseFilter(`n ${written} 1`)).toEqual({ kind: 'compare', target: meta('n'), op, value: 1 })
      expect(parseFilter(`n${written}1`)).toEqual({ kind: 'compare', target: meta('n'), op, value: 1 })
    }
  })

  it('reads x = null as is null and x != null as is not null', () => {
    expect(parseFilter('a = null')).toEqual({ kind: 'isNull', target: meta('a'), negated: false })
    expect(parseFilter('a == NULL')).toEqual({ kind: 'isNull', target: meta('a'), negated: false })
    expect(parseFilter('a != null')).toEqual({ kind: 'isNull', target: meta('a'), negated: true })
    expect(parseFilter('a <> null')).toEqual({ kind: 'isNull', target: meta('a'), negated: true })
  })

  it('refuses to order against null', () => {
    for (const op of ['<', '<=', '>', '>=']) {
      expect(errorOf(`a ${op} null`).message).toBe(`filter: expected a number or a string after ${op} (use "is null" to test for null), found "null" at column ${4 + op.length}`)
    }
  })

  it('reads null in a list as is null', () => {
    const isNull: FilterNode = { kind: 'isNull', target: meta('a'), negated: false }
    expect(parseFilter('a in [1, null]')).toEqual({ kind: 'or', operands: [{ kind: 'in', target: meta('a'), values: [1], negated: false }, isNull] })
    expect(parseFilter('a in [null]')).toEqual(isNull)
    expect(parseFilter('a not in [1, null]')).toEqual({ kind: 'in', target: meta('a'), values: [1], negated: true })
  })

  it('reads numbers per the grammar', () => {
    const value = (text: string) => (parseFilter(`n = ${text}`) as { value: unknown }).value
    expect(value('0')).toBe(0)
    expect(value('-0')).toBe(-0)
    expect(value('-12.5')).toBe(-12.5)
    expect(value('1e3')).toBe(1000)
    expect(value('1E+3')).toBe(1000)
    expect(value('2.5e-3')).toBe(0.0025)
    expect(errorOf('n = 1.').message).toBe('filter: expected a digit after the decimal point, found end of input at column 7')
    expect(errorOf('n = .5').message).toBe('filter: expected a value, found "." at column 5')
    expect(errorOf('n = - 5').message).toBe('filter: expected a digit after "-", found " " at column 6')
    expect(errorOf('n = 1e').message).toBe('filter: expected a digit in the exponent, found end of input at column 7')
    expect(errorOf('n = 1e400').message).toBe('filter: expected a number that fits in a 64-bit float, found 1e400 at column 5')
  })

  it('reads strings with only the three escapes', () => {
    const value = (text: string) => (parseFilter(`s = ${text}`) as { value: unknown }).value
    expect(value(`"a\\"b"`)).toBe('a"b')
    expect(value(`'a\\'b'`)).toBe("a'b")
    expect(value(`"a\\'b"`)).toBe("a'b")
    expect(value(`"a\\\\b"`)).toBe('a\\b')
    expect(value(`"it's"`)).toBe("it's")
    expect(value(`'say "hi"'`)).toBe('say "hi"')
    expect(value('"line\nbreak"')).toBe('line\nbreak')
    expect(value('"😀 é"')).toBe('😀 é')
    expect(errorOf('s = "a\\nb"').message).toBe('filter: expected \\", \\\' or \\\\ after a backslash (the only escapes in a string), found "n" at column 8')
    expect(errorOf('s = "abc').message).toBe('filter: expected a closing " for the string that starts at column 5, found end of input at column 9')
    expect(errorOf('s = "a\u0000"').message).toBe('filter: expected a character other than NUL (U+0000), found U+0000 at column 7')
    expect(errorOf('s = "a\ud800"').message).toBe('filter: expected a whole character, found a lone surrogate U+D800 at column 7')
  })

  it('reads like patterns and refuses one ending in an escape', () => {
    expect(parseFilter('a like "100\\\\%"')).toEqual({ kind: 'like', target: meta('a'), pattern: '100\\%', negated: false })
    expect(parseFilter('a not like "%x%"')).toEqual({ kind: 'like', target: meta('a'), pattern: '%x%', negated: true })
    expect(errorOf('a like "x\\\\"').message).toBe(
      'filter: expected a character after the last backslash of the like pattern (a backslash makes the next character literal), found the string "x\\\\" at column 8',
    )
    expect(errorOf('a like 5').message).toBe('filter: expected a string pattern after "like", found the number 5 at column 8')
  })
})

describe('paths', () => {
  it('resolves bare file attributes, metadata keys and metadata paths', () => {
    for (const name of ['id', 'filename', 'bytes', 'created_at', 'purpose', 'status', 'user_id'] as const) {
      expect(parseFilter(`${name} is null`)).toEqual({ kind: 'isNull', target: file(name), negated: false })
      expect(parseFilter(`metadata.${name} is null`)).toEqual({ kind: 'isNull', target: meta(name), negated: false })
    }
    expect(parseFilter('author = 1')).toEqual(parseFilter('metadata.author = 1'))
    expect(parseFilter('metadata.metadata = 1')).toEqual({ kind: 'compare', target: meta('metadata'), op: '=', value: 1 })
    expect(parseFilter('metadata[0] = 1')).toEqual({ kind: 'compare', target: meta(0), op: '=', value: 1 })
    expect(parseFilter('Status = 1')).toEqual({ kind: 'compare', target: meta('Status'), op: '=', value: 1 })
    expect(parseFilter('a . b [ 1 ] = 1')).toEqual({ kind: 'compare', target: meta('a', 'b', 1), op: '=', value: 1 })
  })

  it('refuses keywords as names, also after a dot', () => {
    expect(errorOf('metadata.in = 1').message).toBe(
      'filter: expected a name after "." (and, or, in, like, is, null, not, true and false are reserved), found "in" at column 10',
    )
    expect(errorOf('a.NULL = 1').column).toBe(3)
    expect(errorOf('a.True = 1').column).toBe(3)
    expect(errorOf('like = 1').message).toBe('filter: expected a condition (a name such as metadata.author), "not" or "(", found "like" at column 1')
  })

  it('refuses chunk attributes unless the target allows chunks', () => {
    expect(errorOf('page = 1').message).toBe(
      "filter: expected a file attribute or a metadata key (page is a chunk attribute, usable only in a question's filter; metadata.page is the metadata key), found the chunk attribute page at column 1",
    )
    expect(errorOf('a = 1 or modality = "text"').column).toBe(10)
    expect(parseFilter('page = 1', { chunkAttributes: true })).toEqual({ kind: 'compare', target: { kind: 'chunk', name: 'page' }, op: '=', value: 1 })
    expect(parseFilter('modality = "text"', { chunkAttributes: true })).toEqual({ kind: 'compare', target: { kind: 'chunk', name: 'modality' }, op: '=', value: 'text' })
    expect(parseFilter('metadata.page = 1')).toEqual({ kind: 'compare', target: meta('page'), op: '=', value: 1 })
  })

  it('refuses fields of attributes, bare metadata and bad indexes', () => {
    expect(errorOf('status.code = 1').message).toBe(
      'filter: expected an operator after status, which has no fields (metadata.status… is the metadata key), found "." at column 7',
    )
    expect(errorOf('id[0] = 1').column).toBe(3)
    expect(errorOf('metadata = 1').message).toBe('filter: expected a key after metadata, as in metadata.author, found "=" at column 10')
    expect(errorOf('a[-1] = 1').message).toBe('filter: expected an array index (0, 1, 2…) after "[", found the number -1 at column 3')
    expect(errorOf('a[1.5] = 1').column).toBe(3)
    expect(errorOf('a[2147483648] = 1').message).toBe('filter: expected an array index of at most 2147483647, found the number 2147483648 at column 3')
    expect(errorOf('a[1 = 1').message).toBe('filter: expected "]" after the index, found "=" at column 5')
  })

  it('converts ISO 8601 dates compared with created_at to unix seconds', () => {
    const value = (text: string) => (parseFilter(text) as { value: unknown }).value
    expect(value('created_at > "2024-01-01"')).toBe(1704067200)
    expect(value('created_at > "2024-01-01T00:00:01Z"')).toBe(1704067201)
    expect(value('created_at > "2024-01-01 02:00+02:00"')).toBe(1704067200)
    expect(value('created_at > "2024-01-01T00:00:00.5"')).toBe(1704067200.5)
    expect(value('created_at > 1704067200')).toBe(1704067200)
    expect(value('metadata.created_at > "2024-01-01"')).toBe('2024-01-01')
    expect(parseFilter('created_at in ["2024-02-29", 5, null]')).toEqual({
      kind: 'or',
      operands: [{ kind: 'in', target: file('created_at'), values: [1709164800, 5], negated: false }, { kind: 'isNull', target: file('created_at'), negated: false }],
    })
    expect(errorOf('created_at > "yesterday"').message).toBe(
      'filter: expected an ISO 8601 date or date-time for created_at, such as "2024-01-31" or "2024-01-31T12:00:00Z", found the string "yesterday" at column 14',
    )
    expect(errorOf('created_at in [1, "2023-02-29"]').column).toBe(19)
    expect(errorOf('created_at = "2024-13-01"').column).toBe(14)
  })
})

describe('errors', () => {
  it('say what was expected, what was found, and the 1-based column', () => {
    const err = errorOf('metadata.author == ')
    expect(err.message).toBe('filter: expected a value, found end of input at column 20')
    expect(err.column).toBe(20)
    expect(err.position).toBe(19)
    expect(err.expected).toBe('a value')
    expect(err.found).toBe('end of input')
  })

  it('count a newline as one character and a surrogate pair as one', () => {
    expect(errorOf('a = 1 and\nb ==').column).toBe(15)
    expect(errorOf('a = "😀" and b ==').column).toBe(17)
    expect(errorOf('a = "😀" and b ==').position).toBe(17)
  })

  it('cover an empty expression, stray tokens and unclosed groups', () => {
    expect(errorOf('').message).toBe('filter: expected a condition (a name such as metadata.author), "not" or "(", found an empty expression at column 1')
    expect(errorOf(' \n ').message).toMatch(/found an empty expression at column 4$/)
    expect(errorOf('   ').column).toBe(4)
    expect(errorOf('a = 1 b = 2').message).toBe('filter: expected "and", "or" or the end of the expression, found "b" at column 7')
    expect(errorOf('(a = 1').message).toBe('filter: expected "and", "or" or ")" to close the "(" at column 1, found end of input at column 7')
    expect(errorOf('a = 1)').column).toBe(6)
    expect(errorOf('a = 1 and').message).toBe('filter: expected a condition (a name such as metadata.author), "not" or "(", found end of input at column 10')
    expect(errorOf('a').message).toBe('filter: expected an operator (=, ==, !=, <>, <, <=, >, >=), "in", "not in", "like", "not like" or "is", found end of input at column 2')
    expect(errorOf('a not = 1').message).toBe('filter: expected "in" or "like" after "not", found "=" at column 7')
    expect(errorOf('a is 1').message).toBe('filter: expected "null" or "not null" after "is", found the number 1 at column 6')
    expect(errorOf('a in 1').message).toBe('filter: expected a list such as ["a", "b"], found the number 1 at column 6')
    expect(errorOf('a in [1,]').message).toBe('filter: expected a value, found "]" at column 9')
    expect(errorOf('a in [1 2]').message).toBe('filter: expected "," or "]" in the list, found the number 2 at column 9')
    expect(errorOf('a = 1 # b').message).toBe('filter: expected a name, a value, an operator or a parenthesis, found "#" at column 7')
    expect(errorOf('a ! 1').message).toBe('filter: expected "=" after "!", found " " at column 4')
    expect(errorOf('a = \u0007').message).toBe('filter: expected a name, a value, an operator or a parenthesis, found U+0007 at column 5')
  })
})

describe('limits', () => {
  it('allows 16,384 characters and refuses one more', () => {
    const pad = (n: number) => `a = "${'x'.repeat(n - 6)}"`
    expect(() => parseFilter(pad(16_384))).not.toThrow()
    const err = errorOf(pad(16_385))
    expect(err).toBeInstanceOf(FilterLimitError)
    expect(err.message).toBe('filter: expected at most 16384 characters, found 16385 characters at column 16385')
    // Characters are code points: 16,384 emoji are 32,768 code units and still allowed.
    expect(() => parseFilter(`a = "${'😀'.repeat(16_378)}"`)).not.toThrow()
    const emoji = errorOf(`a = "${'😀'.repeat(16_400)}"`)
    expect(emoji.column).toBe(16_385)
    expect(emoji.position).toBe(5 + 2 * (16_384 - 5))
  })

  it('allows 64 levels of nesting and refuses a 65th, even 10,000 deep', () => {
    expect(() => parseFilter(`${'('.repeat(64)}a = 1${')'.repeat(64)}`)).not.toThrow()
    expect(() => parseFilter(`${'not '.repeat(32)}${'('.repeat(32)}a = 1${')'.repeat(32)}`)).not.toThrow()
    const err = errorOf(`${'('.repeat(65)}a = 1${')'.repeat(65)}`)
    expect(err).toBeInstanceOf(FilterLimitError)
    expect(err.message).toBe('filter: expected at most 64 levels of nesting, found "(" opening one more at column 65')
    expect(errorOf(`${'('.repeat(10_000)}a = 1${')'.repeat(10_000)}`)).toBeInstanceOf(FilterLimitError)
    expect(errorOf(`${'not '.repeat(4_000)}a = 1`).message).toContain('at most 64 levels of nesting')
  })

  it('allows 1,000 items in a list and refuses more', () => {
    const list = (n: number) => `a in [${Array.from({ length: n }, (_, i) => i).join(',')}]`
    expect(parseFilter(list(1_000))).toMatchObject({ kind: 'in' })
    const err = errorOf(list(1_001))
    expect(err).toBeInstanceOf(FilterLimitError)
    expect(err.message).toBe(`filter: expected at most 1000 items in a list, found more at column ${list(1_000).length + 1}`)
  })

  it('allows 256 conditions and refuses a 257th', () => {
    const conditions = (n: number) => Array.from({ length: n }, (_, i) => `a${i} = 1`).join(' or ')
    expect(parseFilter(conditions(256))).toMatchObject({ kind: 'or' })
    const err = errorOf(conditions(257))
    expect(err).toBeInstanceOf(FilterLimitError)
    expect((err as FilterLimitError).limit).toBe('conditions')
    expect(err.message).toBe(`filter: expected at most 256 conditions, found another condition at column ${conditions(256).length + 5}`)
  })
})
