/** Your tokens: list, create (the value is shown once), revoke. Revoking this session's token signs out. */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, type Me } from '../api'
import { session } from '../session'
import { Alert, ActionTable } from './Notice'

type Token = { id: string; name: string; created_at: string }

export function Tokens({ me }: { me: Me | null }) {
  const [tokens, setTokens] = useState<Token[] | null>(null)
  const [name, setName] = useState('')
  const [created, setCreated] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const load = () =>
    me &&
    api<{ data: Token[] }>('GET', `/users/${encodeURIComponent(me.id)}/tokens`)
      .then((r) => setTokens(r.data))
      .catch((e: ApiError) => setError(e.message))
  useEffect(() => {
    load()
  }, [me?.id])

  async function create(e: Event) {
    e.preventDefault()
    if (!me) return
    try {
      const t = await api<{ token: string }>('POST', `/users/${encodeURIComponent(me.id)}/tokens`, { name: name.trim() || 'token' })
      setCreated(t.token)
      setName('')
      load()
    } catch (err) {
      setError((err as ApiError).message)
    }
  }

  async function revoke(t: Token) {
    const current = t.id === me?.token?.id
    if (!confirm(current ? 'This is the token this browser is signed in with. Revoke it and sign out?' : `Revoke "${t.name}"? Anything using it stops working at once.`)) return
    try {
      await api('DELETE', `/tokens/${encodeURIComponent(t.id)}`)
      if (current) session.clear()
      else load()
    } catch (err) {
      setError((err as ApiError).message)
    }
  }

  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">Your tokens</h1>
      <form class="row card" onSubmit={create}>
        <label for="token-name">Name</label>
        <input id="token-name" value={name} maxLength={100} onInput={(e) => setName(e.currentTarget.value)} placeholder="laptop" />
        <button type="submit">Create a token</button>
      </form>
      {created && (
        <div class="card" role="status">
          <p>Your new token. Copy it now: it is not shown again.</p>
          <input class="mono" readOnly value={created} aria-label="New token" onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
      <Alert text={error} />
      {tokens && (
        <ActionTable caption="Tokens" columns={['Name', 'Created']}>
            {tokens.map((t) => (
              <tr>
                <td>
                  {t.name}
                  {t.id === me?.token?.id && <span class="muted"> (this browser)</span>}
                </td>
                <td>{new Date(t.created_at).toLocaleString()}</td>
                <td>
                  <button type="button" class="danger" onClick={() => revoke(t)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
        </ActionTable>
      )}
    </section>
  )
}
