/**
 * The small commands: `ls` (with the filter language), `rm`, `status` and `workspaces`.
 */
export async function ls(api, out, options) {
  const q = new URLSearchParams({ workspace: options.workspace, limit: '10000' })
  if (options.filter) q.set('metadata', options.filter)
  const { data } = await api.json('GET', `/files?${q}`)
  if (options.json) return out.line(JSON.stringify(data, null, 2))
  const { colors: c } = out
  const paint = { processed: c.green, error: c.red }
  for (const f of data) out.line(`${f.id}  ${(paint[f.status] ?? c.yellow)(f.status.padEnd(10))}  ${f.filename}${f.status === 'error' && f.status_details ? c.dim(`  (${f.status_details})`) : ''}`)
  out.line(c.dim(`${data.length} file${data.length === 1 ? '' : 's'} in "${options.workspace}"`))
}

export async function rm(api, out, ids, options) {
  let failed = 0
  for (const id of ids) {
    try {
      await api.json('DELETE', `/files/${encodeURIComponent(id)}?workspace=${encodeURIComponent(options.workspace)}`)
      out.line(`deleted ${id}`)
    } catch (err) {
      failed++
      out.line(`${id}: ${err.message}`)
    }
  }
  return failed === 0
}

export async function status(api, out, options) {
  const health = await (await fetch(`${api.base}/health`)).json()
  const me = await api.json('GET', '/users/me')
  const { data } = await api.json('GET', `/files?workspace=${encodeURIComponent(options.workspace)}&limit=10000`)
  const counts = {}
  for (const f of data) counts[f.status] = (counts[f.status] ?? 0) + 1
  out.line(`Cairn at ${api.base}: ${health.status}; search ${health.search?.mode ?? 'unknown'}`)
  out.line(`Signed in as ${me.email} (org ${me.org_id})`)
  out.line(`Workspace "${options.workspace}": ${data.length} files${data.length ? ` (${Object.entries(counts).map(([s, n]) => `${n} ${s}`).join(', ')})` : ''}`)
}

export async function workspaces(api, out) {
  const { data } = await api.json('GET', '/workspaces')
  for (const w of data) out.line(`${w.id}${w.name !== w.id ? `  ${w.name}` : ''}`)
}
