/**
 * A one-time console sign-in link for a user token: `POST /sign-in-codes` answers a code and the
 * console URL carrying it (`<origin>/#code=…`), good once, for a few minutes.
 */
export async function signInLink(base, userToken) {
  const res = await fetch(`${base}/v1/sign-in-codes`, { method: 'POST', headers: { authorization: `Bearer ${userToken}` } })
  const body = await res.json().catch(() => null)
  if (res.status !== 200) throw new Error(body?.error?.message ?? `POST /sign-in-codes answered ${res.status}`)
  return { url: body.url, minutes: Math.round((Date.parse(body.expires_at) - Date.now()) / 60_000) }
}
