/**
 * The console's entry: signed out, the sign-in screen (which also redeems a `#code=` link);
 * signed in, the shell with the screen the hash names.
 */
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { session } from './session'
import { SignIn } from './views/SignIn'
import { Shell } from './views/Shell'

function App() {
  const [, setVersion] = useState(0)
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1)
    addEventListener('hashchange', bump)
    const unsubscribe = session.subscribe(bump)
    return () => {
      removeEventListener('hashchange', bump)
      unsubscribe()
    }
  }, [])
  const signingIn = location.hash.startsWith('#code=')
  return session.token() && !signingIn ? <Shell /> : <SignIn />
}

const root = document.getElementById('app')!
// The page's "Loading…" line is replaced, not kept beside the app.
root.textContent = ''
render(<App />, root)
