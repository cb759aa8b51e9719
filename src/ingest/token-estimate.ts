/**
 * @module A tokenizer-free token count, close enough to size chunks for embedding models.
 *
 * BPE tokenizers (cl100k, o200k, BERT WordPiece) spend about one token per 4 characters of
 * English words, more on digits and punctuation, and about one per CJK character; whitespace
 * mostly rides along with the next word. Weights per character class: Latin letters ¼, other
 * letters (Cyrillic, Greek, Arabic…, which tokenizers split finer) ⅖, digits ⅓, punctuation and
 * symbols ½, CJK/kana/hangul 1, whitespace 0. On English prose this lands within about 10% of
 * cl100k and errs high on tables and code, which is the safe side for a model's input limit.
 */

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f]/
const LETTER = /\p{L}|\p{M}/u
const DIGIT = /\p{Nd}/u
const SPACE = /\s/

/**
 * @example estimateTokens('The quick brown fox jumps over the lazy dog.') // 10
 */
export function estimateTokens(text: string): number {
  let weight = 0
  for (const ch of text) weight += charWeight(ch)
  return Math.ceil(weight)
}

export function charWeight(ch: string): number {
  const code = ch.charCodeAt(0)
  if (code < 0x80) {
    if ((code >= 0x61 && code <= 0x7a) || (code >= 0x41 && code <= 0x5a)) return 0.25
    if (code >= 0x30 && code <= 0x39) return 1 / 3
    if (code <= 0x20) return 0
    return 0.5
  }
  if (CJK.test(ch)) return 1
  if (LETTER.test(ch)) return 0.4
  if (DIGIT.test(ch)) return 1 / 3
  if (SPACE.test(ch)) return 0
  return 0.5
}
