import { describe, expect, it } from 'vitest'
import { FilterSyntaxError } from './errors'
import { Lexer } from './lexer'
import type { Token } from './lexer'

function tokens(text: string): Token[] {
  const lexer = new Lexer(text)
  const out: Token[] = []
  for (;;) {
    const token = lexer.next()
    out.push(token)
    if (token.kind === 'eof') return out
  }
}

describe('the lexer', () => {
  it('gives every token its kind, text and offsets', () => {
    expect(tokens('a.b[0] >= -1.5e3')).toEqual([
      { kind: 'name', start: 0, end: 1, text: 'a' },
      { kind: '.', start: 1, end: 2, text: '.' },
      { kind: 'name', start: 2, end: 3, text: 'b' },
      { kind: '[', start: 3, end: 4, text: '[' },
      { kind: 'number', value: 0, integer: true, start: 4, end: 5, text: '0' },
      { kind: ']', start: 5, end: 6, text: ']' },
      { kind: 'operator', operator: '>=', start: 7, end: 9, text: '>=' },
      { kind: 'number', value: -1500, integer: false, start: 10, end: 16, text: '-1.5e3' },
      { kind: 'eof', start: 16, end: 16, text: '' },
    ])
  })

  it('recognises keywords in any case, and only whole words', () => {
    const kinds = tokens('AND Or nOt in LIKE is NULL true FALSE android notes').map((t) => (t.kind === 'keyword' ? t.keyword : t.kind))
    expect(kinds).toEqual(['and', 'or', 'not', 'in', 'like', 'is', 'null', 'true', 'false', 'name', 'name', 'eof'])
  })

  it('reads every operator, longest first', () => {
    const ops = tokens('= == != <> < <= > >= =<').flatMap((t) => (t.kind === 'operator' ? [t.operator] : []))
    expect(ops).toEqual(['=', '==', '!=', '<>', '<', '<=', '>', '>=', '=', '<'])
  })

  it('unescapes strings and keeps their source text', () => {
    const [token] = tokens(`'a\\'b\\\\c"d'`)
    expect(token).toMatchObject({ kind: 'string', value: `a'b\\c"d`, text: `'a\\'b\\\\c"d'`, start: 0, end: 11 })
  })

  it('keeps offsets in code units while columns count characters', () => {
    const [, , third] = tokens('"😀" = x')
    expect(third).toMatchObject({ kind: 'name', start: 7 })
    try {
      tokens('"😀" = ?')
      expect.fail('should not lex')
    } catch (err) {
      expect(err).toBeInstanceOf(FilterSyntaxError)
      expect(err).toMatchObject({ position: 7, column: 7 })
    }
  })
})
