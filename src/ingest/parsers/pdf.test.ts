import { describe, expect, it } from 'vitest'
import { DamagedFileError, LimitExceededError } from '../errors'
import { pdfError, planPageRanges, tidyPageText } from './pdf'

describe('planPageRanges', () => {
  it('covers every page once, in messages of at most n pages', () => {
    expect(planPageRanges(1, 50)).toEqual([{ from: 1, to: 1 }])
    expect(planPageRanges(101, 50)).toEqual([
      { from: 1, to: 50 },
      { from: 51, to: 100 },
      { from: 101, to: 101 },
    ])
  })
})

describe('tidyPageText', () => {
  it('collapses spaces, trims line ends and keeps at most one blank line', () => {
    expect(tidyPageText('  a  b \n\n\n\n c\u0000d \n')).toBe('a b\n\ncd')
  })
})

describe('pdfError', () => {
  const named = (name: string, message: string, code?: number) => Object.assign(new Error(message), { name, code })

  it('says an encrypted PDF needs a password, or that the given one is wrong', () => {
    expect(pdfError(named('PasswordException', 'No password given', 1)).message).toBe('the PDF is encrypted and needs a password')
    expect(pdfError(named('PasswordException', 'Incorrect Password', 2)).message).toBe('the PDF is encrypted and the password given is wrong')
  })

  it('turns pdf.js structure errors into damaged-file sentences with the page', () => {
    const err = pdfError(named('InvalidPDFException', 'Invalid PDF structure.'), 3)
    expect(err).toBeInstanceOf(DamagedFileError)
    expect(err.message).toBe('the PDF is damaged and cannot be read (page 3): Invalid PDF structure.')
    expect(pdfError(new TypeError("Cannot read properties of undefined (reading 'x')")).message).toBe('the PDF is damaged and cannot be read')
    expect(pdfError(new RangeError('Maximum call stack size exceeded')).message).toMatch(/loops back on itself/)
  })

  it('passes domain errors through untouched', () => {
    const limit = new LimitExceededError('too long')
    expect(pdfError(limit)).toBe(limit)
  })
})
