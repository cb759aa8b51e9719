/**
 * The signed-in session: the token (kept in this browser's localStorage, never in a URL), who it
 * names, and the workspace in use. Signing out revokes the token at Cairn, then forgets it here.
 * Behind Cloudflare Access there is no token: Access's edge vouches for every request (access.ts).
 */
const TOKEN_KEY = 'cairn.token'
const WORKSPACE_KEY = 'cairn.workspace'
const listeners = new Set<() => void>()
let expiredMessage: string | null = null
let throughAccess = false

const notify = () => listeners.forEach((l) => l())

export const session = {
  token: (): string | null => localStorage.getItem(TOKEN_KEY),
  /** Whether Cloudflare Access signed this browser in (for this page's life; Access keeps its own cookie). */
  throughAccess: (): boolean => throughAccess,
  accessSignedIn() {
    throughAccess = true
    expiredMessage = null
    notify()
  },
  signedIn: (): boolean => session.token() !== null || throughAccess,
  signIn(token: string) {
    localStorage.setItem(TOKEN_KEY, token)
    expiredMessage = null
    notify()
  },
  /** Forgets the session locally (the token is revoked first by `signOut` in views/Shell). */
  clear(message: string | null = null) {
    localStorage.removeItem(TOKEN_KEY)
    localStorage.removeItem(WORKSPACE_KEY)
    expiredMessage = message
    notify()
  },
  /** A request answered 401: the token was revoked or is unknown. */
  expired() {
    if (session.token()) session.clear('Your session ended: the token was revoked or is no longer valid. Sign in again.')
  },
  expiredMessage: () => expiredMessage,
  workspace: (): string => localStorage.getItem(WORKSPACE_KEY) ?? 'default',
  setWorkspace(id: string) {
    localStorage.setItem(WORKSPACE_KEY, id)
    notify()
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  },
}
