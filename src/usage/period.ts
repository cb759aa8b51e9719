/**
 * @module The days a usage report covers: UTC calendar days `YYYY-MM-DD`, both ends included; by
 * default the last 30 days to today, and never more than a year and a day at once.
 */
import { UsageError } from './errors'
import { utcDay } from './record'

export const DEFAULT_DAYS = 30
export const MAX_DAYS = 366
/** No usage is older than Cairn; the bound keeps day arithmetic away from years before 0. */
export const FIRST_DAY = '1970-01-01'

export type Period = { from: string; to: string }

const DAY_MS = 86_400_000
const DAY = /^\d{4}-\d{2}-\d{2}$/

/** Whether `text` is a real calendar day written `YYYY-MM-DD` (not `2025-02-30`). */
export function isCalendarDay(text: string): boolean {
  if (!DAY.test(text)) return false
  const ms = Date.parse(`${text}T00:00:00Z`)
  return Number.isFinite(ms) && utcDay(ms) === text
}

const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`)
const addDays = (day: string, n: number) => utcDay(dayMs(day) + n * DAY_MS)

/** Days from `from` to `to`, both counted. */
export const daysIn = (period: Period): number => Math.round((dayMs(period.to) - dayMs(period.from)) / DAY_MS) + 1

/**
 * The period asked for: `to` defaults to today (UTC), `from` to 29 days before `to`.
 * @example resolvePeriod({}, '2025-03-31') // { from: '2025-03-02', to: '2025-03-31' }
 */
export function resolvePeriod(input: { from?: string | undefined; to?: string | undefined }, today = utcDay(Date.now())): Period {
  for (const param of ['from', 'to'] as const) {
    const value = input[param]
    if (value !== undefined && !isCalendarDay(value)) throw new UsageError('invalid', `${param} must be a calendar day written YYYY-MM-DD (UTC), e.g. ${today}; got "${value.slice(0, 40)}".`, param)
    if (value !== undefined && value < FIRST_DAY) throw new UsageError('invalid', `${param} must be on or after ${FIRST_DAY}; got ${value}.`, param)
  }
  const to = input.to ?? today
  const earliest = addDays(to, 1 - DEFAULT_DAYS)
  const from = input.from ?? (earliest < FIRST_DAY ? FIRST_DAY : earliest)
  if (from > to) throw new UsageError('invalid', `from (${from}) is after to (${to}); give a from on or before to.`, 'from')
  const period = { from, to }
  if (daysIn(period) > MAX_DAYS) {
    throw new UsageError('invalid', `The period ${from} to ${to} spans ${daysIn(period)} days; ask for at most ${MAX_DAYS} at once (e.g. from ${addDays(to, 1 - MAX_DAYS)}).`, 'from')
  }
  return period
}
