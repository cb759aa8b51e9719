import { describe, expect, it } from 'vitest'
import { estimateTokens } from './token-estimate'

describe('estimateTokens', () => {
  it('is close to a BPE count on English prose', () => {
    // cl100k: 10 tokens.
    expect(estimateTokens('The quick brown fox jumps over the lazy dog.')).toBe(10)
    const paragraph =
      'Cairn indexes the files people upload and answers questions about them with citations to the page, slide or row that supports each claim.'
    // cl100k: 26 tokens; the estimate may err high, not far low.
    expect(estimateTokens(paragraph)).toBeGreaterThanOrEqual(24)
    expect(estimateTokens(paragraph)).toBeLessThanOrEqual(34)
  })

  it('counts one token per CJK character and nothing for whitespace', () => {
    expect(estimateTokens('日本語のテキスト')).toBe(8)
    expect(estimateTokens('   \n\t  ')).toBe(0)
    expect(estimateTokens('')).toBe(0)
  })

  it('counts digits and punctuation denser than letters', () => {
    expect(estimateTokens('1234567890')).toBeGreaterThan(estimateTokens('abcdefghij'))
    expect(estimateTokens('|---|---|')).toBeGreaterThan(estimateTokens('abcdefghi'))
  })
})
