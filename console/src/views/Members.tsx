/** The workspace's members and their access; admins add people, change access and remove them. */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, type Me } from '../api'
import { session } from '../session'
import { Alert, ActionTable } from './Notice'

type Member = { user_id: string; access: 'reader' | 'writer' | 'admin'; created_at: string }
const LEVELS = ['reader', 'writer', 'admin'] as const

export function Members({ me }: { me: Me | null }) {
  const workspace = session.workspace()
  const base = `/workspaces/${encodeURIComponent(workspace)}`
  const [members, setMembers] = useState<Member[] | null>(null)
  const [user, setUser] = useState('')
  const [access, setAccess] = useState<Member['access']>('reader')
  const [error, setError] = useState<string | null>(null)
  const load = () =>
    api<{ data: Member[] }>('GET', `${base}/users`)
      .then((r) => setMembers(r.data))
      .catch((e: ApiError) => setError(e.message))
  useEffect(() => {
    load()
  }, [workspace])
  const act = (p: Promise<unknown>) =>
    p
      .then(() => {
        setError(null)
        return load()
      })
      .catch((e: ApiError) => setError(e.message))

  return (
    <section aria-labelledby="members-title">
      <h1 id="members-title">Members of {workspace}</h1>
      <form
        class="row card"
        onSubmit={(e) => {
          e.preventDefault()
          act(api('POST', `${base}/user`, { user: user.trim(), access })).then(() => setUser(''))
        }}
      >
        <label for="member-user">User (email or id)</label>
        <input id="member-user" required value={user} onInput={(e) => setUser(e.currentTarget.value)} placeholder="bob@example.com" />
        <label for="member-access">Access</label>
        <select id="member-access" value={access} onChange={(e) => setAccess(e.currentTarget.value as Member['access'])}>
          {LEVELS.map((l) => (
            <option value={l}>{l}</option>
          ))}
        </select>
        <button type="submit">Add</button>
      </form>
      <Alert text={error} />
      {members && (
        <ActionTable caption="Members" columns={['User', 'Access']}>
            {members.map((m) => (
              <tr>
                <td>
                  {m.user_id}
                  {m.user_id === me?.id && <span class="muted"> (you)</span>}
                </td>
                <td>
                  <select aria-label={`Access of ${m.user_id}`} value={m.access} onChange={(e) => act(api('PUT', `${base}/user`, { user: m.user_id, access: e.currentTarget.value }))}>
                    {LEVELS.map((l) => (
                      <option value={l}>{l}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button type="button" class="danger" onClick={() => confirm(`Remove ${m.user_id} from ${workspace}?`) && act(api('DELETE', `${base}/user/${encodeURIComponent(m.user_id)}`))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
        </ActionTable>
      )}
    </section>
  )
}
