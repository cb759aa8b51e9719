/**
 * Signing in through Cloudflare Access: where Access guards Cairn, its edge adds a signed assertion to
 * every request this browser makes, so the console needs no token of its own. Asking who we are with no
 * token tells whether that is so.
 */
import { session } from './session'

/** Where Access signs a browser out of every application of the team. */
export const ACCESS_LOGOUT = '/cdn-cgi/access/logout'

/**
 * Signs the console in through Access if Cairn knows this browser without a token. Otherwise returns
 * what Cairn said when Access vouched for someone it refuses (no user, no rule), or null: a
 * deployment without Access simply asks for a token.
 */
export async function signInThroughAccess(): Promise<string | null> {
  try {
    const res = await fetch('/v1/users/me', { headers: { accept: 'application/json' } })
    if (res.ok) {
      session.accessSignedIn()
      return null
    }
    const body = (await res.json().catch(() => null)) as { error?: { message?: string; code?: string } } | null
    const code = body?.error?.code
    return code && code !== 'invalid_api_key' ? (body?.error?.message ?? null) : null
  } catch {
    return null
  }
}
