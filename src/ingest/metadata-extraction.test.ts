import { describe, expect, it } from 'vitest'
import {
  describeExtraction,
  excerptOf,
  extractionPrompt,
  extractionView,
  MAX_EXTRACTED_KEYS,
  newExtractionRequest,
  NO_REASONING_MODEL,
  parseExtractedMetadata,
  readExtractionState,
} from './metadata-extraction'

describe('parseExtractedMetadata', () => {
  it('reads a bare object, one in a code fence, and one after a think block or prose', () => {
    const want = { ok: true, values: { author: 'Andreas Gal', year: 2009, peer_reviewed: true } }
    expect(parseExtractedMetadata('{"author": "Andreas Gal", "year": 2009, "peer_reviewed": true}')).toEqual(want)
    expect(parseExtractedMetadata('```json\n{"author": "Andreas Gal", "year": 2009, "peer_reviewed": true}\n```')).toEqual(want)
    expect(parseExtractedMetadata('<think>The header says {maybe}…</think>\nHere it is: {"author": "Andreas Gal", "year": 2009, "peer_reviewed": true}')).toEqual(want)
  })

  it('sets nothing for null and empty-string values, and accepts {}', () => {
    expect(parseExtractedMetadata('{"author": null, "title": "", "year": 1999}')).toEqual({ ok: true, values: { year: 1999 } })
    expect(parseExtractedMetadata('{}')).toEqual({ ok: true, values: {} })
  })

  it('refuses prose, arrays and broken JSON with a sentence', () => {
    for (const answer of ['I could not find an author.', '[1, 2]', '{"author": "Gal",}']) {
      const parsed = parseExtractedMetadata(answer)
      expect(parsed.ok).toBe(false)
      if (!parsed.ok) expect(parsed.reason).toMatch(/^The model's answer was not used, so the metadata was left as it was: .+\.$/)
    }
  })

  it('refuses keys filters cannot name, naming the key', () => {
    for (const [answer, said] of [
      ['{"Author Name": "Gal"}', /"Author Name" is not a field name filters can use/],
      ['{"2nd_author": "Gal"}', /"2nd_author" is not a field name/],
      ['{"like": "Gal"}', /"like" is a word the filter language reserves/],
      [`{"${'k'.repeat(65)}": 1}`, /longer than 64 characters/],
    ] as const) {
      const parsed = parseExtractedMetadata(answer)
      expect(parsed.ok, answer).toBe(false)
      if (!parsed.ok) expect(parsed.reason).toMatch(said)
    }
  })

  it('refuses nested values, over-long text and too many keys', () => {
    const nested = parseExtractedMetadata('{"authors": ["Gal", "Franz"]}')
    expect(nested).toEqual({ ok: false, reason: expect.stringMatching(/the value of "authors" is not text, a number or true\/false/) })
    const long = parseExtractedMetadata(JSON.stringify({ summary: 'x'.repeat(1001) }))
    expect(long).toEqual({ ok: false, reason: expect.stringMatching(/the value of "summary" is text longer than 1000 characters/) })
    const many = parseExtractedMetadata(JSON.stringify(Object.fromEntries(Array.from({ length: MAX_EXTRACTED_KEYS + 1 }, (_, i) => [`k${i}`, i]))))
    expect(many).toEqual({ ok: false, reason: expect.stringMatching(/more than 32 keys/) })
    expect(parseExtractedMetadata('{"year": 1e400}').ok).toBe(false)
  })
})

describe('excerptOf', () => {
  const chunk = (text: string, page: number | null, tokens: number) => ({ text, page, tokens })

  it('keeps chunks in order with page marks, whole while they fit', () => {
    expect(excerptOf([chunk('Title', 1, 2), chunk('Abstract', 1, 2), chunk('Intro', 2, 2)], 100)).toEqual({ text: '[page 1]\n\nTitle\n\nAbstract\n\n[page 2]\n\nIntro', truncated: false })
  })

  it('cuts the chunk that crosses the budget pro rata and says text was left out', () => {
    const out = excerptOf([chunk('a'.repeat(40), null, 10), chunk('b'.repeat(40), null, 10), chunk('c', null, 1)], 15)
    expect(out).toEqual({ text: `${'a'.repeat(40)}\n\n${'b'.repeat(20)}`, truncated: true })
  })
})

describe('the request state', () => {
  it('round-trips through the column and shows queued as pending', () => {
    const state = newExtractionRequest('extract the author', ['year'], true)
    const read = readExtractionState(JSON.stringify({ ...state, status: 'queued' }))
    expect(read).toMatchObject({ instructions: 'extract the author', status: 'queued', keep: ['year'] })
    expect(extractionView(read, 'processed')).toMatchObject({ status: 'pending', instructions: 'extract the author', details: null })
  })

  it('without a reasoning model the request has failed already, saying why', () => {
    const view = extractionView(newExtractionRequest('extract the author', [], false), 'processing')
    expect(view).toMatchObject({ status: 'failed', details: NO_REASONING_MODEL })
  })

  it('a waiting request of a file that failed shows as failed; plain old text as never applied', () => {
    const state = newExtractionRequest('x', [], true)
    expect(extractionView(state, 'error')).toMatchObject({ status: 'failed', details: expect.stringMatching(/could not be processed/) })
    expect(extractionView(readExtractionState('extract the year'), 'processed')).toMatchObject({ status: 'failed', instructions: 'extract the year' })
    expect(extractionView(readExtractionState(null), 'processed')).toBeNull()
  })
})

describe('prompt and details', () => {
  it('puts the instructions before the document and says when it was cut', () => {
    const prompt = extractionPrompt({ filename: 'paper.pdf', instructions: 'extract the year', excerpt: { text: 'Body', truncated: true } })
    expect(prompt.indexOf('extract the year')).toBeLessThan(prompt.indexOf('Body'))
    expect(prompt).toContain('(its beginning; the rest is left out)')
  })

  it('says what was set and what was left to the user', () => {
    expect(describeExtraction(['author', 'year'], ['title'])).toBe("Set from the file's content: author, year. Left as you set them: title.")
    expect(describeExtraction([], [])).toMatch(/found nothing to set/)
  })
})
