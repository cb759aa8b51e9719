import { describe, expect, it } from 'vitest'
import { DamagedFileError } from './errors'
import { checkUtf8, decodeUtf8Text, normalizeNewlines } from './utf8'

const bytes = (...b: number[]) => new Uint8Array(b)
const utf8 = (s: string) => new TextEncoder().encode(s)

describe('checkUtf8', () => {
  it('accepts ASCII, multi-byte text and a BOM', () => {
    expect(checkUtf8(utf8('plain'))).toEqual({ ok: true, bom: false })
    expect(checkUtf8(utf8('Größe 日本語 😀'))).toEqual({ ok: true, bom: false })
    expect(checkUtf8(bytes(0xef, 0xbb, 0xbf, 0x41))).toEqual({ ok: true, bom: true })
  })

  it.each([
    ['overlong encoding', [0xc0, 0x80]],
    ['UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['truncated sequence', [0x41, 0xe6, 0x97]],
    ['lone continuation byte', [0x80]],
    ['Latin-1 byte', [0x63, 0x61, 0x66, 0xe9]],
  ])('rejects a %s', (_, b) => {
    expect(checkUtf8(bytes(...b))).toEqual({ ok: false, problem: 'invalid' })
  })

  it('rejects NUL bytes and UTF-16', () => {
    expect(checkUtf8(bytes(0x61, 0x00, 0x62))).toEqual({ ok: false, problem: 'nul' })
    expect(checkUtf8(bytes(0xff, 0xfe, 0x61, 0x00))).toEqual({ ok: false, problem: 'utf16' })
  })
})

describe('decodeUtf8Text', () => {
  it('drops the BOM and keeps the text', () => {
    expect(decodeUtf8Text(bytes(0xef, 0xbb, 0xbf, 0x68, 0x69))).toBe('hi')
  })

  it('says in a sentence why bytes are not text', () => {
    expect(() => decodeUtf8Text(bytes(0xc0, 0x80), 'CSV file')).toThrow(DamagedFileError)
    expect(() => decodeUtf8Text(bytes(0xc0, 0x80), 'CSV file')).toThrow('the CSV file is not valid UTF-8 text')
  })

  it('normalizes CRLF and CR to LF', () => {
    expect(normalizeNewlines('a\r\nb\rc\n')).toBe('a\nb\nc\n')
  })
})
