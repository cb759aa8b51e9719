import { describe, expect, it } from 'vitest'
import { atomize, packSpans } from './text-splitter'

describe('atomize', () => {
  it('prefers paragraph, then line, sentence and word boundaries', () => {
    const text = 'Para one is here.\n\nPara two is here.'
    expect(atomize(text, 5).map((s) => text.slice(s.start, s.end))).toEqual(['Para one is here.', 'Para two is here.'])
    const sentences = 'First sentence here. Second sentence here! Third?'
    expect(atomize(sentences, 6).map((s) => sentences.slice(s.start, s.end))).toEqual([
      'First sentence here.',
      'Second sentence here!',
      'Third?',
    ])
  })

  it('splits CJK text after its sentence marks', () => {
    const text = '今日は晴れです。明日は雨でしょう。'
    expect(atomize(text, 10).map((s) => text.slice(s.start, s.end))).toEqual(['今日は晴れです。', '明日は雨でしょう。'])
  })
})

describe('packSpans', () => {
  it('fills chunks greedily and covers every unit', () => {
    const text = Array.from({ length: 20 }, (_, i) => `word${i}`).join(' ')
    const units = atomize(text, 2)
    const chunks = packSpans(text, units, 6, 0)
    expect(chunks.map((c) => text.slice(c.start, c.end)).join(' ')).toBe(text)
    expect(chunks.every((c) => c.weight <= 6)).toBe(true)
  })
})
