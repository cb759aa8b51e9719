import { describe, expect, it } from 'vitest'
import { chunkHit } from '../../test/support/chunk-hit'
import type { ChunkHit } from '../search/chunk-hits'
import { CitationWriter } from './citations'
import { EvidenceBook } from './evidence-book'
import { bestQuote, judgeSupport } from './support'

function hit(id: string, text: string, page: number | null = 1): ChunkHit {
  return chunkHit(id, text, { page })
}

const SLS = 'The Space Launch System Block 1 stands 98 m tall. It lifts 95 t to low Earth orbit.'
const SATURN = 'Saturn V was 110.6 m tall and flew thirteen times between 1967 and 1973.'
const FALCON = 'Falcon Heavy is 70 m tall, with three Falcon 9 cores.'

function bookOf(...hits: ChunkHit[]) {
  const book = new EvidenceBook(10)
  book.add(hits)
  return book
}

/** Streams `answer` in small pieces, as a model would, and returns what the writer let through. */
function stream(writer: CitationWriter, answer: string, size = 5): string {
  let out = ''
  for (let i = 0; i < answer.length; i += size) out += writer.push(answer.slice(i, i + size))
  return out + writer.finish()
}

describe('judgeSupport', () => {
  it('accepts a claim whose figures and words are in the passage', () => {
    expect(judgeSupport('SLS Block 1 stands 98 m tall', SLS)).toEqual({ supported: true })
    expect(judgeSupport('Saturn V was 110.60 m tall', SATURN)).toEqual({ supported: true })
  })

  it('refuses a figure the passage does not state', () => {
    expect(judgeSupport('SLS Block 1 stands 111 m tall', SLS)).toMatchObject({ supported: false, reason: expect.stringContaining('111') })
  })

  it('refuses a claim about something else', () => {
    expect(judgeSupport('The mission carried astronauts to the lunar surface aboard a lander', FALCON).supported).toBe(false)
  })

  it('reads thousands separators as the same number', () => {
    expect(judgeSupport('about 1,250 employees', 'The company has 1250 employees.').supported).toBe(true)
  })
})

describe('bestQuote', () => {
  it('does not break a sentence at an abbreviation', () => {
    const text = 'Typewriters sold widely. The Remington No. 2 of 1878 added a shift key. It was popular.'
    expect(bestQuote('the Remington No. 2 added a shift key in 1878', text)).toMatch(/^The Remington No\. 2 of 1878 added a shift key\./)
  })

  it('quotes the sentence that matches, verbatim', () => {
    const quote = bestQuote('it lifts 95 t', SLS)
    expect(SLS).toContain(quote)
    expect(quote).toContain('95 t')
  })
})

describe('CitationWriter', () => {
  it('keeps supported markers, renumbers them by first use and points the annotations at them', () => {
    const writer = new CitationWriter(bookOf(hit('a', SLS), hit('b', SATURN), hit('c', FALCON)))
    const out = stream(writer, 'Saturn V was 110.6 m tall [2]. SLS Block 1 stands 98 m tall [1]. Saturn V flew thirteen times [2].')
    expect(out).toBe('Saturn V was 110.6 m tall [1]. SLS Block 1 stands 98 m tall [2]. Saturn V flew thirteen times [1].')
    expect(writer.content).toBe(out)
    expect(writer.annotations.map((a) => a.text)).toEqual(['[1]', '[2]', '[1]'])
    for (const a of writer.annotations) expect([...out].slice(a.start_index, a.end_index).join('')).toBe(a.text)
    expect(writer.annotations[0]!.file_citation).toMatchObject({ file_id: 'file-b', filename: 'b.pdf', page: 1 })
    expect(SATURN).toContain(writer.annotations[0]!.file_citation.quote)
    expect(writer.relevantDocs().map((d) => d.file_id)).toEqual(['file-b', 'file-a'])
    expect(writer.dropped).toEqual([])
  })

  it('drops a marker whose passage does not support the claim, and one that points nowhere', () => {
    const writer = new CitationWriter(bookOf(hit('a', SLS), hit('b', SATURN)))
    const out = stream(writer, 'Falcon Heavy is 70 m tall [1]. SLS stands 98 m tall [1][7].')
    expect(out).toBe('Falcon Heavy is 70 m tall. SLS stands 98 m tall [1].')
    expect(writer.dropped.map((d) => d.marker)).toEqual([1, 7])
    expect(writer.dropped[0]!.reason).toContain('70')
    expect(writer.annotations).toHaveLength(1)
  })

  it('lets two passages support one claim together', () => {
    const writer = new CitationWriter(bookOf(hit('a', SLS), hit('b', SATURN)))
    const out = stream(writer, 'Saturn V (110.6 m) was taller than SLS Block 1 (98 m) [1, 2].')
    expect(out).toBe('Saturn V (110.6 m) was taller than SLS Block 1 (98 m) [1][2].')
  })

  it('holds text back only until a sentence ends, and counts offsets in code points', () => {
    const writer = new CitationWriter(bookOf(hit('a', SLS)))
    expect(writer.push('🚀 SLS stands 98 m tall [1')).toBe('')
    expect(writer.push('] and it')).toBe('')
    expect(writer.push(' lifts 95 t.\n')).toBe('🚀 SLS stands 98 m tall [1] and it lifts 95 t.\n')
    expect(writer.annotations[0]).toMatchObject({ start_index: 23, end_index: 26 })
    expect(writer.finish()).toBe('')
  })

  it('does not end a sentence at an abbreviation', () => {
    const writer = new CitationWriter(bookOf(hit('r', 'The Remington No. 2 of 1878 added a shift key.')))
    expect(writer.push('The Remington No. 2 of 1878 added a shift key [1]. Next')).toBe('The Remington No. 2 of 1878 added a shift key [1]. ')
    expect(writer.annotations).toHaveLength(1)
  })

  it('does not cut a decimal number', () => {
    const writer = new CitationWriter(bookOf(hit('b', SATURN)))
    expect(writer.push('Saturn V was 110.')).toBe('')
    expect(writer.push('6 m tall [1]. Then')).toBe('Saturn V was 110.6 m tall [1]. ')
  })
})
