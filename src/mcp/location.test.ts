import { describe, expect, it } from 'vitest'
import { placeOf } from './location'

const hit = { filename: 'report.pdf', page: null, sheet: undefined, rows: undefined, start_time: undefined, end_time: undefined }

describe('placeOf', () => {
  it('says page, slide, sheet and rows, and times as a clock', () => {
    expect(placeOf({ ...hit, page: 3 })).toBe('page 3')
    expect(placeOf({ ...hit, filename: 'deck.PPTX', page: 2 })).toBe('slide 2')
    expect(placeOf({ ...hit, filename: 'q.xlsx', sheet: 'Q1', rows: [2, 9] })).toBe('sheet Q1, rows 2–9')
    expect(placeOf({ ...hit, filename: 'q.csv', rows: [4, 4] })).toBe('row 4')
    expect(placeOf({ ...hit, filename: 'talk.mp3', start_time: 72.5, end_time: 130 })).toBe('1:12–2:10')
    expect(placeOf(hit)).toBe('')
  })
})
