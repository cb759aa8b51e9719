import { describe, expect, it } from 'vitest'
import { LimitExceededError } from './errors'
import { DEFAULT_LIMITS, formatBytes, resolveLimits, startDeadline, withinDeadline } from './limits'

describe('resolveLimits', () => {
  it('starts from the defaults and takes overrides', () => {
    const limits = resolveLimits({ maxPages: 10 })
    expect(limits.maxPages).toBe(10)
    expect(limits.maxPartBytes).toBe(DEFAULT_LIMITS.maxPartBytes)
  })

  it('refuses a cap that is not a positive number', () => {
    expect(() => resolveLimits({ maxPages: 0 })).toThrow(RangeError)
    expect(() => resolveLimits({ timeBudgetMs: Number.NaN })).toThrow(RangeError)
  })
})

describe('deadline', () => {
  it('throws a readable limit error once the budget is spent', () => {
    let now = 1_000
    const deadline = startDeadline(5_000, () => now)
    expect(() => deadline.check()).not.toThrow()
    now = 6_000
    expect(() => deadline.check()).toThrow(LimitExceededError)
    expect(() => deadline.check()).toThrow('took longer than the 5 s allowed')
  })

  it('stops waiting for work that does not finish in time', async () => {
    const never = new Promise<never>(() => {})
    await expect(withinDeadline(never, startDeadline(20), 20)).rejects.toBeInstanceOf(LimitExceededError)
  })

  it('passes results through when in time', async () => {
    await expect(withinDeadline(Promise.resolve(42), startDeadline(1_000), 1_000)).resolves.toBe(42)
  })
})

it('formats sizes the way reasons read them', () => {
  expect(formatBytes(64 * 1024 * 1024)).toBe('64 MB')
  expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MB')
  expect(formatBytes(2048)).toBe('2 KB')
})
