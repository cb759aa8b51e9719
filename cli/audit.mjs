/**
 * `cairn audit`: the org's audit log from a terminal — list events with filters, export them as JSON
 * lines, and verify the hash chain (exit 1 when a link is broken, so a scheduled job can alert).
 */
import { createWriteStream } from 'node:fs'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

/** The query string `GET /audit` and `/audit/export` take, from the command's options. */
export function auditQuery(options) {
  const q = new URLSearchParams()
  for (const [option, param] of [
    ['org', 'org'],
    ['action', 'action'],
    ['actor', 'actor'],
    ['workspace', 'workspace'],
    ['target', 'target'],
    ['since', 'since'],
    ['until', 'until'],
    ['limit', 'limit'],
  ]) {
    if (options[option] !== undefined) q.set(param, String(options[option]))
  }
  return q
}

function describe(e) {
  const who = e.actor.kind === 'user' ? (e.actor.email ?? e.actor.id) : e.actor.kind === 'admin' ? 'admin token' : e.actor.id
  const where = e.workspace ? ` in ${e.workspace}` : ''
  const what = e.action === 'answer' ? `"${String(e.details.question).slice(0, 80)}" (${e.details.cited?.length ?? 0} cited)` : (e.target ?? '')
  return `${e.created_at}  #${e.seq}  ${e.action.padEnd(21)}  ${who}${where}  ${what}`
}

export async function listAudit(api, out, options) {
  const { data, has_more } = await api.json('GET', `/audit?${auditQuery(options)}`)
  if (options.json) return out.line(JSON.stringify(data, null, 2))
  for (const e of data) out.line(describe(e))
  out.line(out.colors.dim(`${data.length} event${data.length === 1 ? '' : 's'}${has_more ? ' (more: raise --limit or narrow with --since)' : ''}`))
}

export async function exportAudit(api, out, options) {
  const q = auditQuery(options)
  q.delete('limit')
  const res = await api.request('GET', `/audit/export?${q}`)
  const target = options.output ? createWriteStream(options.output) : process.stdout
  await pipeline(Readable.fromWeb(res.body), target, { end: Boolean(options.output) })
  if (options.output) out.line(`Saved to ${options.output}.`)
}

/** Exits non-zero when the chain is broken. */
export async function verifyAudit(api, out, options) {
  const q = options.org ? `?org=${encodeURIComponent(options.org)}` : ''
  const v = await api.json('GET', `/audit/verify${q}`)
  const { colors: c } = out
  const span = v.events_checked ? `events ${v.first_seq} to ${v.last_seq}` : 'no events yet'
  if (v.ok) {
    out.line(`${c.green('The audit chain holds')}: ${v.events_checked} event${v.events_checked === 1 ? '' : 's'} checked (${span}).`)
    return true
  }
  out.line(`${c.red('The audit chain is broken')} at event ${v.broken.seq}: ${v.broken.reason}. ${v.events_checked} event${v.events_checked === 1 ? '' : 's'} before it hold.`)
  return false
}
