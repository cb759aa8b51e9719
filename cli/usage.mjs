/**
 * `cairn usage`: what models and ingestion spent (GET /usage), as a small table — one row per day,
 * user or workspace as grouped, a totals line, and what is stored now.
 */

/** The columns, in order: header, and how a row (or the totals) shows it. */
const MEASURE_COLUMNS = [
  ['asked', (r) => r.completions],
  ['tokens in', (r) => r.reasoning_input_tokens],
  ['tokens out', (r) => r.reasoning_output_tokens],
  ['perception in', (r) => r.perception_input_tokens],
  ['perception out', (r) => r.perception_output_tokens],
  ['embedding', (r) => r.embedding_input_tokens],
  ['files', (r) => r.files_ingested],
  ['pages', (r) => r.pages_ingested],
  ['bytes', (r) => bytes(r.bytes_ingested)],
]

const KEY_COLUMNS = {
  day: ['day', (r) => r.day],
  user: ['user', (r) => r.email ?? r.user_id],
  workspace: ['workspace', (r) => r.workspace],
}

export function bytes(n) {
  if (n < 1024) return `${n} B`
  const units = ['KB', 'MB', 'GB', 'TB']
  let value = n
  let unit = -1
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

const number = (v) => (typeof v === 'number' ? v.toLocaleString('en-US') : String(v ?? ''))

export async function usage(api, out, options) {
  const q = new URLSearchParams()
  for (const [key, value] of [['from', options.from], ['to', options.to], ['group_by', options.groupBy], ['workspace', options.workspace], ['user', options.user]]) {
    if (value) q.set(key, value)
  }
  const report = await api.json('GET', `/usage${q.size ? `?${q}` : ''}`)
  if (options.json) return out.line(JSON.stringify(report, null, 2))
  const { colors: c } = out
  const keys = report.group_by.map((k) => KEY_COLUMNS[k])
  const columns = [...keys, ...MEASURE_COLUMNS]
  const cells = (row, isTotal) => columns.map(([, read], i) => (isTotal && i < keys.length ? (i === 0 ? 'total' : '') : number(read(row))))
  const body = report.data.map((row) => cells(row, false))
  const total = cells(report.totals, true)
  const widths = columns.map(([header], i) => Math.max(header.length, ...[...body, total].map((r) => r[i].length)))
  // Keys read left to right; figures line up on the right.
  const line = (r) => r.map((cell, i) => (i < keys.length ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ')
  out.line(c.dim(`Usage ${report.from} to ${report.to} (UTC)`))
  out.line(c.bold(line(columns.map(([header]) => header))))
  for (const r of body) out.line(line(r))
  if (body.length === 0) out.line(c.dim('No usage in this period.'))
  out.line(c.bold(line(total)))
  out.line(`Stored now: ${number(report.stored.files)} file${report.stored.files === 1 ? '' : 's'}, ${bytes(report.stored.bytes)}`)
}
