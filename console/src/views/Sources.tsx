/**
 * Sources: the workspace's buckets and websites indexed in place — where each sync stands and what the
 * last one did; connect one (its credentials go to Cairn and are never shown again), sync one now,
 * disconnect one with or without its files. The list refreshes itself while a sync runs.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError, query } from '../api'
import { session } from '../session'
import { ActionTable, Notice } from './Notice'

type Source = {
  id: string
  name: string
  type: 'r2' | 's3' | 'web'
  settings: Record<string, unknown>
  status: 'idle' | 'syncing' | 'error'
  status_details: string | null
  last_sync: { added: number; updated: number; removed: number; failed: number; unchanged: number } | null
  last_synced_at: string | null
  next_sync_at: string | null
}

const where = (s: Source) => (s.type === 'web' ? String(s.settings.url) : s.type === 's3' ? `s3://${s.settings.bucket}/${s.settings.prefix ?? ''}` : `R2 ${s.settings.binding}/${s.settings.prefix ?? ''}`)
const lastSync = (s: Source) =>
  s.last_sync ? `${s.last_sync.added} added, ${s.last_sync.updated} updated, ${s.last_sync.removed} removed, ${s.last_sync.failed} failed, ${s.last_sync.unchanged} unchanged` : 'not yet'

/** The form's fields as the API's settings for the chosen type. */
function settingsOf(type: string, f: FormData): Record<string, unknown> {
  const text = (name: string) => String(f.get(name) ?? '').trim()
  const globs = (name: string) => text(name).split(',').map((g) => g.trim()).filter(Boolean)
  const common = { include: globs('include'), exclude: globs('exclude') }
  if (type === 'web') return { url: text('url'), ...(text('sitemap') ? { sitemap_url: text('sitemap') } : {}), max_depth: Number(text('max_depth') || 2), max_pages: Number(text('max_pages') || 200), ...common }
  if (type === 's3')
    return { endpoint: text('endpoint'), bucket: text('bucket'), region: text('region') || 'us-east-1', prefix: text('prefix'), access_key_id: text('access_key_id'), secret_access_key: text('secret_access_key'), ...common }
  return { binding: text('binding'), prefix: text('prefix'), ...common }
}

export function Sources() {
  const workspace = session.workspace()
  const [sources, setSources] = useState<Source[] | null>(null)
  const [type, setType] = useState<'web' | 's3' | 'r2'>('web')
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null)
  const timer = useRef<number>()

  const load = async () => {
    try {
      const r = await api<{ data: Source[] }>('GET', `/sources${query({ workspace })}`)
      setSources(r.data)
      window.clearTimeout(timer.current)
      if (r.data.some((s) => s.status === 'syncing')) timer.current = window.setTimeout(load, 1500)
    } catch (err) {
      setMessage({ text: (err as ApiError).message, error: true })
    }
  }
  useEffect(() => {
    load()
    return () => window.clearTimeout(timer.current)
  }, [workspace])

  async function connect(e: Event) {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const f = new FormData(form)
    const every = String(f.get('every') ?? '').trim()
    try {
      const s = await api<Source>('POST', '/sources', { type, name: String(f.get('name') ?? '').trim(), workspace, settings: settingsOf(type, f), ...(every ? { sync_every_minutes: Number(every) } : {}) })
      form.reset()
      setMessage({ text: `Connected ${s.name}; its first sync has started.` })
      load()
    } catch (err) {
      const e = err as ApiError
      setMessage({ text: e.param ? `${e.param}: ${e.message}` : e.message, error: true })
    }
  }

  async function act(s: Source, action: 'sync' | 'disconnect') {
    try {
      if (action === 'sync') await api('POST', `/sources/${encodeURIComponent(s.id)}/sync`)
      else {
        if (!confirm(`Disconnect ${s.name}? Its files stay, as ordinary files.`)) return
        await api('DELETE', `/sources/${encodeURIComponent(s.id)}`)
      }
      setMessage({ text: action === 'sync' ? `Syncing ${s.name}.` : `Disconnected ${s.name}.` })
      load()
    } catch (err) {
      setMessage({ text: (err as ApiError).message, error: true })
    }
  }

  const field = (name: string, label: string, props: Record<string, unknown> = {}) => (
    <label>
      {label} <input name={name} {...props} />
    </label>
  )

  return (
    <section aria-labelledby="sources-title">
      <h1 id="sources-title">Sources</h1>
      <p class="muted">Buckets and websites indexed in place. Their files carry <code>metadata.source</code>: filter with <code>metadata.source = 'name'</code>.</p>
      <form class="card stack" onSubmit={connect} aria-label="Connect a source">
        <label>
          Type{' '}
          <select name="type" value={type} onChange={(e) => setType(e.currentTarget.value as 'web' | 's3' | 'r2')}>
            <option value="web">Website</option>
            <option value="s3">S3-compatible bucket</option>
            <option value="r2">R2 bucket bound to Cairn</option>
          </select>
        </label>
        {field('name', 'Name', { required: true, pattern: '[a-z0-9][a-z0-9._-]{0,62}', placeholder: 'handbook' })}
        {type === 'web' && [field('url', 'Start URL', { required: true, type: 'url', placeholder: 'https://handbook.example.com/' }), field('sitemap', 'Sitemap URL', { type: 'url' }), field('max_depth', 'Link depth', { type: 'number', min: 0, max: 10, placeholder: '2' }), field('max_pages', 'Pages at most', { type: 'number', min: 1, max: 10000, placeholder: '200' })]}
        {type === 's3' && [
          field('endpoint', 'Endpoint', { required: true, type: 'url', placeholder: 'https://s3.eu-west-1.amazonaws.com' }),
          field('bucket', 'Bucket', { required: true }),
          field('region', 'Region', { placeholder: 'us-east-1' }),
          field('prefix', 'Prefix'),
          field('access_key_id', 'Access key id', { required: true, autocomplete: 'off' }),
          field('secret_access_key', 'Secret access key', { required: true, type: 'password', autocomplete: 'off' }),
        ]}
        {type === 'r2' && [field('binding', 'Binding', { required: true, placeholder: 'SOURCE_BUCKET' }), field('prefix', 'Prefix')]}
        {field('include', 'Only (globs, comma-separated)', { placeholder: type === 'web' ? '/docs/**' : '**/*.pdf' })}
        {field('exclude', 'Skip (globs)')}
        {field('every', 'Sync every (minutes)', { type: 'number', min: 5, max: 10080 })}
        <button type="submit">Connect</button>
      </form>
      <Notice message={message} />
      {sources && sources.length === 0 && <p class="muted">No sources in this workspace yet.</p>}
      {sources && sources.length > 0 && (
        <ActionTable caption="Sources" columns={['Name', 'Where', 'Status', 'Last sync', 'Next sync']}>
          {sources.map((s) => (
            <tr>
              <td>{s.name}</td>
              <td class="mono">{where(s)}</td>
              <td>
                <span class={`badge ${s.status === 'idle' ? 'processed' : s.status === 'syncing' ? 'processing' : 'error'}`} data-status={s.status}>
                  {s.status}
                </span>
                {s.status_details && <span class={`detail ${s.status === 'error' ? 'error' : 'muted'}`}>{s.status_details}</span>}
              </td>
              <td>{lastSync(s)}</td>
              <td>{s.next_sync_at ? new Date(s.next_sync_at).toLocaleString() : 'when asked'}</td>
              <td>
                <button type="button" disabled={s.status === 'syncing'} onClick={() => act(s, 'sync')}>
                  Sync now
                </button>{' '}
                <button type="button" class="danger" onClick={() => act(s, 'disconnect')}>
                  Disconnect
                </button>
              </td>
            </tr>
          ))}
        </ActionTable>
      )}
    </section>
  )
}
