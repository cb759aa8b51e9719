/**
 * The signed-in frame: who you are, the workspace in use (switch or create one), the screens, and
 * signing out (the console's token is revoked at Cairn, then forgotten here; behind Cloudflare Access,
 * Access signs the browser out).
 */
import { useEffect, useState } from 'preact/hooks'
import { ACCESS_LOGOUT } from '../access'
import { api, ApiError, type Me, type Workspace } from '../api'
import { go, useRoute } from '../router'
import { session } from '../session'
import { Ask } from './Ask'
import { FilePage } from './FilePage'
import { Files } from './Files'
import { History } from './History'
import { Members } from './Members'
import { Sources } from './Sources'
import { Tokens } from './Tokens'
import { Usage } from './Usage'
import { Alert } from './Notice'

const SCREENS = [
  { name: 'files', label: 'Files' },
  { name: 'ask', label: 'Ask' },
  { name: 'history', label: 'History' },
  { name: 'sources', label: 'Sources' },
  { name: 'members', label: 'Members' },
  { name: 'usage', label: 'Usage' },
  { name: 'tokens', label: 'Your tokens' },
]

export function Shell() {
  const route = useRoute()
  const [me, setMe] = useState<Me | null>(null)
  const [workspaces, setWorkspaces] = useState<Workspace[]>([])
  const [creating, setCreating] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const workspace = session.workspace()

  const loadWorkspaces = () =>
    api<{ data: Workspace[] }>('GET', '/workspaces')
      .then((r) => setWorkspaces(r.data))
      .catch((e: ApiError) => setError(e.message))
  useEffect(() => {
    api<Me>('GET', '/users/me')
      .then(setMe)
      .catch((e: ApiError) => setError(e.message))
    loadWorkspaces()
  }, [])

  async function signOut() {
    try {
      if (me?.token) await api('DELETE', `/tokens/${encodeURIComponent(me.token.id)}`)
    } catch {
      // Revoked already, or Cairn is unreachable: forget it here all the same.
    }
    session.clear()
    history.replaceState(null, '', location.pathname)
  }

  async function createWorkspace(e: Event) {
    e.preventDefault()
    const form = new FormData(e.currentTarget as HTMLFormElement)
    const id = String(form.get('id') ?? '').trim()
    try {
      await api('POST', '/workspaces', { id, name: String(form.get('name') ?? '').trim() || id })
      await loadWorkspaces()
      session.setWorkspace(id)
      setCreating(false)
      setError(null)
    } catch (err) {
      setError((err as ApiError).message)
    }
  }

  const screen = route.name === 'file' && route.id ? <FilePage id={route.id} /> : route.name === 'ask' ? <Ask /> : route.name === 'history' ? <History id={route.id} /> : route.name === 'members' ? <Members me={me} /> : route.name === 'tokens' ? <Tokens me={me} /> : route.name === 'sources' ? <Sources /> : route.name === 'usage' ? <Usage /> : <Files />

  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Cairn</span>
        <label class="workspace">
          <span class="sr-only">Workspace</span>
          <select value={workspace} onChange={(e) => session.setWorkspace(e.currentTarget.value)} aria-label="Workspace">
            {(workspaces.some((w) => w.id === workspace) ? workspaces : [{ id: workspace, name: workspace }, ...workspaces]).map((w) => (
              <option value={w.id}>{w.name === w.id ? w.id : `${w.name} (${w.id})`}</option>
            ))}
          </select>
        </label>
        <button type="button" class="ghost" onClick={() => setCreating(!creating)} aria-expanded={creating}>
          New workspace
        </button>
        <span class="spacer" />
        <span class="who">{me?.email}</span>
        {session.throughAccess() ? (
          <a class="button ghost" href={ACCESS_LOGOUT}>
            Sign out
          </a>
        ) : (
          <button type="button" class="ghost" onClick={signOut}>
            Sign out
          </button>
        )}
      </header>
      <nav class="tabs" aria-label="Screens">
        {SCREENS.map((s) => (
          <a href={`#/${s.name}`} aria-current={route.name === s.name || (s.name === 'files' && route.name === 'file') ? 'page' : undefined} onClick={() => go(s.name)}>
            {s.label}
          </a>
        ))}
      </nav>
      {creating && (
        <form class="card inline" onSubmit={createWorkspace} aria-label="New workspace">
          <label>
            Id <input name="id" required pattern="[a-z0-9]+([_-][a-z0-9]+)*" placeholder="legal" />
          </label>
          <label>
            Name <input name="name" placeholder="Legal" />
          </label>
          <button type="submit">Create</button>
        </form>
      )}
      <Alert text={error} />
      <main id="main" key={workspace}>
        {screen}
      </main>
    </div>
  )
}
