import { describe, expect, it } from 'vitest'
import { DamagedFileError, isIngestError, LimitExceededError, libraryDetail, plainSentence, UnsupportedFormatError } from './errors'

describe('ingest errors', () => {
  it('carry a one-line reason of at most 1,000 characters', () => {
    const err = new DamagedFileError(`the document is damaged:\n${'x'.repeat(2_000)}`)
    expect(err.reason).not.toContain('\n')
    expect(err.reason.length).toBeLessThanOrEqual(1_000)
    expect(err.message).toBe(err.reason)
  })

  it('are told apart by class and recognised as ingest errors', () => {
    for (const err of [new UnsupportedFormatError('a'), new DamagedFileError('b'), new LimitExceededError('c')]) {
      expect(isIngestError(err)).toBe(true)
    }
    expect(isIngestError(new Error('plain'))).toBe(false)
    expect(new LimitExceededError('x').name).toBe('LimitExceededError')
  })

  it('keep library noise out of the sentence', () => {
    expect(libraryDetail(new TypeError("Cannot read properties of undefined (reading 'x')"))).toBe('')
    expect(libraryDetail(new Error('Invalid PDF structure.\n    at foo (bar.js:1:2)'))).toBe('Invalid PDF structure.')
    expect(plainSentence('  a \n b  ')).toBe('a b')
  })
})
