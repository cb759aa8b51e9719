/**
 * The console's entry: signed out, the sign-in screen (which also redeems a `#code=` link);
 * signed in, the shell with the screen the hash names. Without a token, it first asks whether
 * Cloudflare Access has signed this browser in.
 */
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { signInThroughAccess } from './access'
import { session } from './session'
import { SignIn } from './views/SignIn'
import { Shell } from './views/Shell'

function App() {
  const [, setVersion] = useState(0)
  const signingIn = location.hash.startsWith('#code=')
  const [asking, setAsking] = useState(!session.token() && !signingIn)
  useEffect(() => {
    if (!asking) return
    signInThroughAccess()
      .then((refusal) => refusal && session.clear(refusal))
      .finally(() => setAsking(false))
  }, [])
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1)
    addEventListener('hashchange', bump)
    const unsubscribe = session.subscribe(bump)
    return () => {
      removeEventListener('hashchange', bump)
      unsubscribe()
    }
  }, [])
  if (asking) return <p class="boot" role="status">Loading Cairn…</p>
  return session.signedIn() && !signingIn ? <Shell /> : <SignIn />
}

const root = document.getElementById('app')!
// The page's "Loading…" line is replaced, not kept beside the app.
root.textContent = ''
render(<App />, root)
