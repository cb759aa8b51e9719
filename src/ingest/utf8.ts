/**
 * @module UTF-8 checks and decoding for the text formats. Validation walks the bytes without
 * building a string, so a large upload can be judged before anything is decoded.
 */
import { DamagedFileError } from './errors'

export type Utf8Verdict =
  | { ok: true; bom: boolean }
  | { ok: false; problem: 'nul' | 'invalid' | 'utf16' }

const BOM = [0xef, 0xbb, 0xbf] as const

export function hasUtf8Bom(bytes: Uint8Array): boolean {
  return bytes[0] === BOM[0] && bytes[1] === BOM[1] && bytes[2] === BOM[2]
}

function looksUtf16(bytes: Uint8Array): boolean {
  const [a, b] = [bytes[0], bytes[1]]
  return (a === 0xff && b === 0xfe) || (a === 0xfe && b === 0xff)
}

/** Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF) and no NUL byte. */
export function checkUtf8(bytes: Uint8Array): Utf8Verdict {
  if (looksUtf16(bytes)) return { ok: false, problem: 'utf16' }
  const bom = hasUtf8Bom(bytes)
  let i = bom ? 3 : 0
  const n = bytes.length
  while (i < n) {
    const b = bytes[i]!
    if (b < 0x80) {
      if (b === 0) return { ok: false, problem: 'nul' }
      i++
      continue
    }
    let need: number
    let min: number
    let cp: number
    if (b >= 0xc2 && b <= 0xdf) [need, min, cp] = [1, 0x80, b & 0x1f]
    else if (b >= 0xe0 && b <= 0xef) [need, min, cp] = [2, 0x800, b & 0x0f]
    else if (b >= 0xf0 && b <= 0xf4) [need, min, cp] = [3, 0x10000, b & 0x07]
    else return { ok: false, problem: 'invalid' }
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || (c & 0xc0) !== 0x80) return { ok: false, problem: 'invalid' }
      cp = (cp << 6) | (c & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return { ok: false, problem: 'invalid' }
    i += need + 1
  }
  return { ok: true, bom }
}

/** Decodes strict UTF-8 without its BOM, or says in a sentence why the bytes are not text. */
export function decodeUtf8Text(bytes: Uint8Array, what = 'file'): string {
  const verdict = checkUtf8(bytes)
  if (!verdict.ok) throw new DamagedFileError(utf8Problem(verdict.problem, what))
  // The BOM is dropped by the decoder (its default); the bytes were validated above.
  return new TextDecoder('utf-8').decode(bytes)
}

export function utf8Problem(problem: 'nul' | 'invalid' | 'utf16', what: string): string {
  switch (problem) {
    case 'nul':
      return `the ${what} contains NUL bytes, so it is binary data rather than text`
    case 'utf16':
      return `the ${what} is encoded as UTF-16; save it as UTF-8 and upload it again`
    case 'invalid':
      return `the ${what} is not valid UTF-8 text; save it as UTF-8 and upload it again`
  }
}

/** CRLF and lone CR become LF, so offsets and splitting see one kind of line break. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n')
}
