import { describe, expect, it } from 'vitest'
import { UsageError } from './errors'
import { daysIn, isCalendarDay, resolvePeriod } from './period'

describe('resolvePeriod', () => {
  it('defaults to the 30 days ending today', () => {
    expect(resolvePeriod({}, '2025-03-31')).toEqual({ from: '2025-03-02', to: '2025-03-31' })
    expect(daysIn(resolvePeriod({}, '2025-03-01'))).toBe(30)
  })

  it('counts back from a given to, across a leap day', () => {
    expect(resolvePeriod({ to: '2024-03-10' }, '2025-01-01')).toEqual({ from: '2024-02-10', to: '2024-03-10' })
  })

  it('takes one day, and a year and a day, but not more', () => {
    expect(daysIn(resolvePeriod({ from: '2025-05-05', to: '2025-05-05' }))).toBe(1)
    expect(daysIn(resolvePeriod({ from: '2024-01-01', to: '2024-12-31' }))).toBe(366)
    expect(() => resolvePeriod({ from: '2023-01-01', to: '2024-01-02' })).toThrow(/at most 366/)
  })

  it('names the input at fault', () => {
    const fault = (input: { from?: string; to?: string }) => {
      try {
        resolvePeriod(input, '2025-03-31')
      } catch (err) {
        return err instanceof UsageError ? [err.kind, err.param] : err
      }
      return null
    }
    expect(fault({ from: '2025-02-30' })).toEqual(['invalid', 'from'])
    expect(fault({ to: '31/03/2025' })).toEqual(['invalid', 'to'])
    expect(fault({ from: '2025-04-01', to: '2025-03-01' })).toEqual(['invalid', 'from'])
    expect(fault({ from: '2025-03-01' })).toBeNull()
    expect(fault({ to: '0000-01-01' })).toEqual(['invalid', 'to'])
    expect(fault({ from: '1969-12-31', to: '1970-01-05' })).toEqual(['invalid', 'from'])
    expect(resolvePeriod({ to: '1970-01-05' })).toEqual({ from: '1970-01-01', to: '1970-01-05' })
  })
})

describe('isCalendarDay', () => {
  it('knows real days from look-alikes', () => {
    expect(['2024-02-29', '1999-12-31'].every(isCalendarDay)).toBe(true)
    expect(['2023-02-29', '2025-13-01', '2025-1-01', ' 2025-01-01', '2025-01-01T00:00:00Z', ''].some(isCalendarDay)).toBe(false)
  })
})
