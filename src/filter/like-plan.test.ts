import { describe, expect, it } from 'vitest'
import { likeMatcher } from './like'
import { likePlan, type LikePiece, type LongLikePlan } from './like-plan'
import { MAX_LIKE_PATTERN_BYTES } from './limits'

const bytes = (text: string) => new TextEncoder().encode(text).length
const long = (pattern: string) => likePlan(pattern) as LongLikePlan

describe('likePlan', () => {
  it('keeps a pattern D1 accepts whole', () => {
    expect(likePlan('%hegel%')).toBe('%hegel%')
    expect(likePlan('é'.repeat(25))).toBe('é'.repeat(25))
  })

  it('anchors the first segment at the start and the last at the end, and keeps the ones between in order', () => {
    const plan = long(`${'a'.repeat(30)}%${'b'.repeat(30)}%_c%${'d'.repeat(5)}`)
    expect(plan).toMatchObject({ n: 30 + 30 + 2 + 5, x: 0, h: 30, t: 5 })
    expect(plan.a).toEqual([[1, 30, 'a'.repeat(30)], [-5, 5, 'ddddd']])
    expect(plan.m).toEqual([[30, [[0, 30, 'b'.repeat(30)]]], [2, [[0, 2, '_c']]]])
  })

  it('anchors nothing where the pattern starts or ends with %, and marks a pattern without % as exact', () => {
    expect(long(`%${'x'.repeat(60)}%`)).toMatchObject({ x: 0, h: 0, t: 0, a: [], m: [[60, expect.any(Array)]] })
    expect(long('x'.repeat(60))).toMatchObject({ n: 60, x: 1, h: 60, t: 0 })
    expect(long('%'.repeat(60))).toMatchObject({ n: 0, a: [], m: [] })
  })

  it('cuts segments into pieces of at most 50 bytes, never splitting an escape, with wildcards in literals escaped', () => {
    const pattern = `${'\\%'.repeat(20)}${'😀'.repeat(20)}\\\\_${'é'.repeat(40)}`
    const plan = long(pattern)
    const pieces: LikePiece[] = plan.a
    for (const [, , text] of pieces) expect(bytes(text)).toBeLessThanOrEqual(MAX_LIKE_PATTERN_BYTES)
    // Each piece, matched at its offset, must say what the whole pattern says.
    const value = `${'%'.repeat(20)}${'😀'.repeat(20)}\\x${'é'.repeat(40)}`
    const chars = Array.from(value)
    for (const [offset, length, text] of pieces) expect(likeMatcher(text)(chars.slice(offset - 1, offset - 1 + length).join(''))).toBe(true)
    expect(likeMatcher(pattern)(value)).toBe(true)
    expect(pieces.reduce((sum, [, length]) => sum + length, 0)).toBe(plan.n)
  })
})
