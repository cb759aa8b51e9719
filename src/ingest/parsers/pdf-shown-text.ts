/**
 * @module How much text a PDF's content streams (pages, forms, patterns) can show, counted before
 * pdf.js reads a page: each is inflated piece by piece and the bytes of its strings counted, stopping
 * at the caps. pdf.js turns a page into text in one synchronous stretch, about a microsecond a glyph,
 * so a page of 15 million characters holds the runtime for a minute or more before any meter can
 * refuse it; this look costs a fraction of that and stops early.
 */
import { Unzlib } from 'fflate'

/**
 * Counting stops once one stream shows more than `perStream` bytes, or all of them more than `total`,
 * or one stream inflates to more than `inflatedPerStream` bytes (a bomb of drawing operators, no text).
 */
export type ShownTextCaps = { perStream: number; total: number; inflatedPerStream: number }

export type ShownText = {
  /** Bytes shown by the stream that shows the most (counted up to the cap). */
  largest: number
  /** Bytes shown by every stream counted, up to the cap. */
  total: number
  /** Which cap was passed, if one was. */
  over: 'stream' | 'total' | 'inflated' | null
}

/**
 * Counts the bytes inside string operands (`(…)` and `<…>`) of every content stream stored
 * FlateDecode or unfiltered. A one-byte font shows a character a byte, a two-byte font one every two,
 * so the count bounds the text from above (ligatures aside). Streams under other filters, or that
 * fail to inflate (encrypted files), are not counted: the output meter still stands behind them.
 * @example
 * const shown = shownTextBytes(bytes, { perStream: 12_000_000, total: 24_000_000, inflatedPerStream: 64 * 1024 * 1024 })
 * if (shown.over) // refuse before pdf.js reads a page
 */
export function shownTextBytes(bytes: Uint8Array, caps: ShownTextCaps): ShownText {
  const result: ShownText = { largest: 0, total: 0, over: null }
  let at = 0
  for (;;) {
    const keyword = indexOfBytes(bytes, STREAM, at)
    if (keyword === -1) break
    at = keyword + STREAM.length
    if (bytes[keyword - 1] === D) continue // `endstream`
    let start = at
    if (bytes[start] === CR) start++
    if (bytes[start] === LF) start++
    if (start === at) continue // not the keyword: `stream` is followed by an end of line
    const end = indexOfBytes(bytes, ENDSTREAM, start)
    if (end === -1) break
    at = end + ENDSTREAM.length
    const decoding = decodingOf(dictionaryBefore(bytes, keyword))
    if (decoding === 'skip') continue
    const limit = Math.min(caps.perStream, caps.total - result.total)
    const { shown, inflated } = countStream(bytes.subarray(start, end), decoding, limit, caps.inflatedPerStream)
    if (inflated > caps.inflatedPerStream) return { ...result, over: 'inflated' }
    result.largest = Math.max(result.largest, shown)
    result.total += shown
    if (shown > caps.perStream) return { ...result, over: 'stream' }
    if (result.total > caps.total) return { ...result, over: 'total' }
  }
  return result
}

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0))
const STREAM = ascii('stream')
const ENDSTREAM = ascii('endstream')
const D = 0x64
const CR = 0x0d
const LF = 0x0a

/** Inflating in small pieces keeps what one piece can expand to (about 1,000×) to a few MB. */
const INPUT_PIECE = 4 * 1024

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  for (let i = haystack.indexOf(needle[0]!, from); i !== -1; i = haystack.indexOf(needle[0]!, i + 1)) {
    let j = 1
    while (j < needle.length && haystack[i + j] === needle[j]) j++
    if (j === needle.length) return i
  }
  return -1
}

/** The stream's dictionary: the text between its `obj` header and the `stream` keyword (at most 2 KB back). */
function dictionaryBefore(bytes: Uint8Array, keyword: number): string {
  const window = bytes.subarray(Math.max(0, keyword - 2048), keyword)
  let text = ''
  for (let i = 0; i < window.length; i += 1024) text += String.fromCharCode(...window.subarray(i, i + 1024))
  const header = text.lastIndexOf('obj')
  return header === -1 ? text : text.slice(header + 3)
}

/**
 * Streams that are not drawing instructions: images, fonts, object and cross-reference streams,
 * metadata, attachments, functions, colour profiles. Their bytes are not text and are left alone.
 */
const NOT_CONTENT =
  /\/(Width|Height|BitsPerComponent|Length1|Length2|Length3|First|W|N|FunctionType|Params)\b|\/Subtype\s*\/(Image|Type1C|CIDFontType0C|OpenType|XML)\b|\/Type\s*\/(XRef|ObjStm|Metadata|EmbeddedFile)\b/

function decodingOf(dictionary: string): 'flate' | 'raw' | 'skip' {
  if (NOT_CONTENT.test(dictionary)) return 'skip'
  const filter = /\/Filter\s*(\[[^\]]*\]|\/[A-Za-z0-9]+)/.exec(dictionary)
  if (!filter) return 'raw'
  const names = filter[1]!.match(/\/[A-Za-z0-9]+/g) ?? []
  return names.length === 1 && names[0] === '/FlateDecode' ? 'flate' : 'skip'
}

/** Counts up to just past `limit` shown, or `maxInflated` inflated, then stops inflating. */
function countStream(data: Uint8Array, decoding: 'flate' | 'raw', limit: number, maxInflated: number): { shown: number; inflated: number } {
  const counter = stringCounter()
  let inflated = 0
  const take = (piece: Uint8Array) => {
    inflated += piece.length
    counter.feed(piece)
  }
  const more = () => counter.count <= limit && inflated <= maxInflated
  if (decoding === 'raw') {
    for (let i = 0; i < data.length && more(); i += 1024 * 1024) take(data.subarray(i, i + 1024 * 1024))
    return { shown: counter.count, inflated }
  }
  const inflate = new Unzlib(take)
  try {
    for (let i = 0; i < data.length && more(); i += INPUT_PIECE) inflate.push(data.subarray(i, i + INPUT_PIECE), i + INPUT_PIECE >= data.length)
  } catch {
    // Damaged or encrypted: what was counted stands, pdf.js decides about the rest.
  }
  return { shown: counter.count, inflated }
}

const Mode = { Code: 0, Literal: 1, Angle: 2, Hex: 3, Comment: 4, InlineImage: 5 } as const

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00

/**
 * A content-stream lexer reduced to what matters here: strings (nested parentheses, escapes, hex),
 * comments, and inline image data (`ID` … `EI`), whose binary bytes must not count as strings.
 */
function stringCounter() {
  let mode: number = Mode.Code
  let depth = 0
  let escaped = false
  let literalBytes = 0
  let hexDigits = 0
  // The three bytes before the current one, to find `ID` and `EI` across pieces.
  let p1 = 0x20
  let p2 = 0x20
  let p3 = 0x20
  return {
    get count() {
      return literalBytes + (hexDigits >> 1)
    },
    feed(piece: Uint8Array) {
      for (let i = 0; i < piece.length; i++) {
        const c = piece[i]!
        switch (mode) {
          case Mode.Code:
            if (c === 0x28) {
              mode = Mode.Literal
              depth = 1
            } else if (c === 0x3c) mode = Mode.Angle
            else if (c === 0x25) mode = Mode.Comment
            else if (isSpace(c) && p1 === 0x44 && p2 === 0x49 && isSpace(p3)) mode = Mode.InlineImage
            break
          case Mode.Literal:
            if (escaped) escaped = false
            else if (c === 0x5c) escaped = true
            else if (c === 0x28) depth++
            else if (c === 0x29 && --depth === 0) {
              mode = Mode.Code
              break
            }
            literalBytes++
            break
          case Mode.Angle:
            // `<<` opens a dictionary; anything else opens a hex string.
            if (c === 0x3c || c === 0x3e) mode = Mode.Code
            else {
              mode = Mode.Hex
              if (!isSpace(c)) hexDigits++
            }
            break
          case Mode.Hex:
            if (c === 0x3e) mode = Mode.Code
            else if (!isSpace(c)) hexDigits++
            break
          case Mode.Comment:
            if (c === CR || c === LF) mode = Mode.Code
            break
          case Mode.InlineImage:
            if (isSpace(c) && p1 === 0x49 && p2 === 0x45 && isSpace(p3)) mode = Mode.Code
            break
        }
        p3 = p2
        p2 = p1
        p1 = c
      }
    },
  }
}
