/**
 * Signing in: a one-time link (`#code=…`, printed by `npm start`) is redeemed at once and scrubbed from
 * the address bar and history; otherwise paste a token, which is checked before it is kept.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, type Me } from '../api'
import { session } from '../session'
import { Alert } from './Notice'

export function SignIn() {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | null>(session.expiredMessage())
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    const redeem = () => {
      const match = /^#code=([^&]+)/.exec(location.hash)
      if (!match) return
      const code = decodeURIComponent(match[1]!)
      // The code is single-use, but it should not linger in the address bar or history either.
      history.replaceState(null, '', `${location.pathname}#/files`)
      setBusy(true)
      api<{ token: string }>('POST', '/sign-in', { code })
        .then((r) => session.signIn(r.token))
        .catch((e: ApiError) => {
          setError(e.message)
          session.clear(e.message)
        })
        .finally(() => setBusy(false))
    }
    redeem()
    // A link opened in a tab that already shows the console changes only the hash.
    addEventListener('hashchange', redeem)
    return () => removeEventListener('hashchange', redeem)
  }, [])

  async function submit(e: Event) {
    e.preventDefault()
    setBusy(true)
    setError(null)
    const value = token.trim()
    localStorage.setItem('cairn.token', value)
    try {
      await api<Me>('GET', '/users/me')
      session.signIn(value)
    } catch (err) {
      localStorage.removeItem('cairn.token')
      setError((err as ApiError).message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <main class="signin" aria-labelledby="signin-title">
      <h1 id="signin-title" class="brand">Cairn</h1>
      <p class="muted">Ask your documents; every answer cites its page.</p>
      <form onSubmit={submit} class="card">
        <label for="token">API token</label>
        <input id="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken(e.currentTarget.value)} placeholder="cairn_…" />
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p class="hint">
          Locally, <code>npm start</code> prints a link that signs you in once. A token stays in this browser until you sign out.
        </p>
        <Alert text={error} />
      </form>
    </main>
  )
}
