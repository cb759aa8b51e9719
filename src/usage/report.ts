/**
 * @module Reading usage: a period's daily counters summed by the keys asked for (day, user,
 * workspace), their totals, and beside these flows the level of what is stored now — the bytes of
 * the files in the same scope, read from the files table at the moment of asking.
 */
import type { Db } from '../db/client'
import type { Principal } from '../tenancy/principal'
import { scopeCondition, usageScope, type ScopeRequest, type UsageScope } from './access'
import { MEASURES, noUsage, type Measures } from './measures'
import { resolvePeriod, type Period } from './period'

export const GROUP_KEYS = ['day', 'user', 'workspace'] as const
export type GroupKey = (typeof GROUP_KEYS)[number]

export type UsageRequest = ScopeRequest & { from?: string | undefined; to?: string | undefined; groupBy: readonly GroupKey[] }

/** The keys of a row: those grouped by, absent otherwise. */
export type RowKeys = { day?: string; workspace?: string; user_id?: string; email?: string | null }
export type UsageRow = RowKeys & Measures
export type StoredRow = Omit<RowKeys, 'day'> & { files: number; bytes: number }

export type UsageReport = {
  period: Period
  groupBy: GroupKey[]
  rows: UsageRow[]
  totals: Measures
  /** Files held now in the scope; `rows` by user and workspace when the report is grouped by either. */
  stored: { files: number; bytes: number; rows: StoredRow[] | null }
}

export type ReportDeps = { db: Db; d1: D1Database }

/** The SQL of each group key, over a table with `user_id` and `workspace_id` columns. */
const KEY_SQL: Record<GroupKey, string[]> = {
  day: ['day'],
  workspace: ['workspace_id AS workspace'],
  user: ['user_id', '(SELECT email FROM users WHERE users.id = user_id) AS email'],
}
const KEY_COLUMNS: Record<GroupKey, string> = { day: 'day', workspace: 'workspace_id', user: 'user_id' }

/**
 * The report a caller asked for, refusing what they may not see (access.ts) and periods that make
 * no sense (period.ts).
 * @example const report = await usageReport(deps, principal, { groupBy: ['day'] })
 */
export async function usageReport(deps: ReportDeps, principal: Principal, request: UsageRequest): Promise<UsageReport> {
  const period = resolvePeriod(request)
  const scope = await usageScope(deps.db, principal, request)
  const groupBy = GROUP_KEYS.filter((k) => request.groupBy.includes(k))
  const [rows, stored] = await Promise.all([flows(deps.d1, scope, period, groupBy), storedNow(deps.d1, scope, groupBy)])
  const totals = noUsage()
  for (const row of rows) for (const m of MEASURES) totals[m] += row[m]
  totals.audio_seconds = roundSeconds(totals.audio_seconds)
  return { period, groupBy, rows, totals, stored }
}

async function flows(d1: D1Database, scope: UsageScope, period: Period, groupBy: GroupKey[]): Promise<UsageRow[]> {
  const where = scopeCondition(scope)
  const keys = groupBy.flatMap((k) => KEY_SQL[k])
  const group = groupBy.map((k) => KEY_COLUMNS[k])
  const sums = MEASURES.map((m) => `coalesce(sum(${m}), 0) AS ${m}`)
  const sql = `SELECT ${[...keys, ...sums].join(', ')} FROM usage_daily WHERE ${where.sql} AND day BETWEEN ? AND ?
    ${group.length > 0 ? `GROUP BY ${group.join(', ')} ORDER BY ${group.join(', ')}` : ''}`
  const { results } = await d1.prepare(sql).bind(...where.params, period.from, period.to).all<UsageRow>()
  // Without keys, SQL sums an empty period to one row of zeros; a list of nothing is more honest.
  const rows = group.length > 0 ? results : results.filter((r) => MEASURES.some((m) => r[m] > 0))
  return rows.map((r) => ({ ...r, audio_seconds: roundSeconds(r.audio_seconds) }))
}

async function storedNow(d1: D1Database, scope: UsageScope, groupBy: GroupKey[]): Promise<UsageReport['stored']> {
  const where = scopeCondition(scope)
  const by = groupBy.filter((k) => k !== 'day')
  const keys = by.flatMap((k) => KEY_SQL[k])
  const group = by.map((k) => KEY_COLUMNS[k])
  const sql = `SELECT ${[...keys, 'count(*) AS files', 'coalesce(sum(bytes), 0) AS bytes'].join(', ')} FROM files WHERE ${where.sql}
    ${group.length > 0 ? `GROUP BY ${group.join(', ')} ORDER BY ${group.join(', ')}` : ''}`
  const { results } = await d1.prepare(sql).bind(...where.params).all<StoredRow>()
  const files = results.reduce((n, r) => n + r.files, 0)
  const bytes = results.reduce((n, r) => n + r.bytes, 0)
  return { files, bytes, rows: group.length > 0 ? results : null }
}

/** Audio seconds are sums of floats; milliseconds are plenty. */
const roundSeconds = (s: number) => Math.round(s * 1000) / 1000
