/**
 * @module The filter language's lexer: text in, tokens with their offsets out, one at a time.
 * Keywords are recognised here, case-insensitively, so they are reserved wherever a name could stand.
 */
import { columnAt, FilterSyntaxError } from './errors'

export const KEYWORDS = ['and', 'or', 'in', 'like', 'is', 'null', 'not', 'true', 'false'] as const
export type Keyword = (typeof KEYWORDS)[number]

export type Operator = '=' | '==' | '!=' | '<>' | '<' | '<=' | '>' | '>='

type Span = {
  /** 0-based offset of the first code unit. */
  start: number
  /** 0-based offset one past the last code unit. */
  end: number
  /** The token as written. */
  text: string
}

export type Token =
  | (Span & { kind: 'name' })
  | (Span & { kind: 'keyword'; keyword: Keyword })
  | (Span & { kind: 'string'; value: string })
  | (Span & { kind: 'number'; value: number; integer: boolean })
  | (Span & { kind: 'operator'; operator: Operator })
  | (Span & { kind: '(' | ')' | '[' | ']' | ',' | '.' | 'eof' })

const KEYWORD_SET: ReadonlySet<string> = new Set(KEYWORDS)
const PUNCTUATION = new Set(['(', ')', '[', ']', ',', '.'])

const isDigit = (c: number) => c >= 0x30 && c <= 0x39
const isNameStart = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f
const isNamePart = (c: number) => isNameStart(c) || isDigit(c)
const isSpace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d)

/** Reads tokens from `text` on demand, so the first fault in the text is the one reported. */
export class Lexer {
  private offset = 0

  constructor(readonly text: string) {}

  /** The next token; after the last one, `eof` again and again. */
  next(): Token {
    const text = this.text
    while (this.offset < text.length && isSpace(text.charCodeAt(this.offset))) this.offset++
    const start = this.offset
    if (start >= text.length) return { kind: 'eof', start, end: start, text: '' }
    const c = text.charCodeAt(start)
    const ch = text[start]!
    if (PUNCTUATION.has(ch)) {
      this.offset++
      return { kind: ch as '(' | ')' | '[' | ']' | ',' | '.', start, end: this.offset, text: ch }
    }
    if (isNameStart(c)) return this.name(start)
    if (isDigit(c) || c === 0x2d) return this.number(start)
    if (c === 0x22 || c === 0x27) return this.string(start)
    const operator = this.operator(start)
    if (operator) return operator
    this.fail('a name, a value, an operator or a parenthesis', describeCharAt(text, start), start)
  }

  private name(start: number): Token {
    let end = start + 1
    while (end < this.text.length && isNamePart(this.text.charCodeAt(end))) end++
    this.offset = end
    const text = this.text.slice(start, end)
    const lower = text.toLowerCase()
    if (KEYWORD_SET.has(lower)) return { kind: 'keyword', keyword: lower as Keyword, start, end, text }
    return { kind: 'name', start, end, text }
  }

  /** number := -?digits(.digits)?([eE][+-]?digits)? */
  private number(start: number): Token {
    const text = this.text
    let i = start
    if (text.charCodeAt(i) === 0x2d) i++
    i = this.digits(i, 'a digit after "-"')
    let integer = text.charCodeAt(start) !== 0x2d
    if (text.charCodeAt(i) === 0x2e) {
      i = this.digits(i + 1, 'a digit after the decimal point')
      integer = false
    }
    const e = text.charCodeAt(i)
    if (e === 0x65 || e === 0x45) {
      i++
      const sign = text.charCodeAt(i)
      if (sign === 0x2b || sign === 0x2d) i++
      i = this.digits(i, 'a digit in the exponent')
      integer = false
    }
    this.offset = i
    const source = text.slice(start, i)
    const value = Number(source)
    if (!Number.isFinite(value)) this.fail('a number that fits in a 64-bit float', source, start)
    return { kind: 'number', value, integer, start, end: i, text: source }
  }

  private digits(from: number, expected: string): number {
    let i = from
    while (i < this.text.length && isDigit(this.text.charCodeAt(i))) i++
    if (i === from) this.fail(expected, describeCharAt(this.text, from), from)
    return i
  }

  /** string := "…" | '…' with \" \' \\ as the only escapes */
  private string(start: number): Token {
    const text = this.text
    const quote = text.charCodeAt(start)
    let value = ''
    let i = start + 1
    let runStart = i
    for (;;) {
      if (i >= text.length) {
        this.fail(`a closing ${text[start]} for the string that starts at column ${columnAt(text, start)}`, 'end of input', i)
      }
      const c = text.charCodeAt(i)
      if (c === quote) break
      if (c === 0x5c) {
        const escaped = text.charCodeAt(i + 1)
        if (escaped !== 0x22 && escaped !== 0x27 && escaped !== 0x5c) {
          this.fail('\\", \\\' or \\\\ after a backslash (the only escapes in a string)', describeCharAt(text, i + 1), i + 1)
        }
        value += text.slice(runStart, i) + text[i + 1]
        i += 2
        runStart = i
        continue
      }
      this.checkCharacter(i)
      i++
    }
    value += text.slice(runStart, i)
    this.offset = i + 1
    return { kind: 'string', value, start, end: this.offset, text: text.slice(start, this.offset) }
  }

  /** Refuses what a store would not keep intact: NUL ends strings in SQLite, a lone surrogate is no character. */
  private checkCharacter(i: number) {
    const c = this.text.charCodeAt(i)
    if (c === 0) this.fail('a character other than NUL (U+0000)', 'U+0000', i)
    if (c >= 0xd800 && c <= 0xdfff) {
      const pairOk = c <= 0xdbff ? isLow(this.text.charCodeAt(i + 1)) : isHigh(this.text.charCodeAt(i - 1)) && i > 0
      if (!pairOk) this.fail('a whole character', `a lone surrogate U+${c.toString(16).toUpperCase()}`, i)
    }
  }

  private operator(start: number): Token | undefined {
    const text = this.text
    const two = text.slice(start, start + 2)
    const one = text[start]
    let operator: Operator | undefined
    if (two === '==' || two === '!=' || two === '<>' || two === '<=' || two === '>=') operator = two
    else if (one === '=' || one === '<' || one === '>') operator = one
    else if (one === '!') this.fail('"=" after "!"', describeCharAt(text, start + 1), start + 1)
    if (!operator) return undefined
    this.offset = start + operator.length
    return { kind: 'operator', operator, start, end: this.offset, text: operator }
  }

  private fail(expected: string, found: string, position: number): never {
    throw new FilterSyntaxError(expected, found, position, this.text)
  }
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff

/** A character as a message shows it: quoted, or by code point when it would not print. */
export function describeCharAt(text: string, position: number): string {
  if (position >= text.length) return 'end of input'
  const cp = text.codePointAt(position)!
  if (cp < 0x20 || cp === 0x7f || (cp >= 0x80 && cp < 0xa0) || (cp >= 0xd800 && cp <= 0xdfff)) {
    return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  }
  return JSON.stringify(String.fromCodePoint(cp))
}

/** A token as an error message shows it. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'end of input'
    case 'string':
      return `the string ${clip(token.text)}`
    case 'number':
      return `the number ${clip(token.text)}`
    case 'keyword':
      return `"${token.text}"`
    default:
      return JSON.stringify(clip(token.text))
  }
}

const clip = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text)
