/**
 * The CLI's way to Cairn: the public API with the saved token. An error answer becomes a `CairnError`
 * carrying OpenAI's message, so commands print the sentence Cairn wrote.
 */
export class CairnError extends Error {
  constructor(message, status = 0, param = null) {
    super(message)
    this.status = status
    this.param = param
  }
}

export function client({ url, token }) {
  const base = url.replace(/\/+$/, '')
  async function request(method, pathname, { json, body, headers = {} } = {}) {
    let res
    try {
      res = await fetch(`${base}/v1${pathname}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: json !== undefined ? JSON.stringify(json) : body,
      })
    } catch (err) {
      throw new CairnError(`Cairn did not answer at ${base}: ${err.cause?.code ?? err.message}. Is it running? (cairn login --url …)`)
    }
    if (!res.ok) {
      const e = (await res.json().catch(() => null))?.error
      const hint = res.status === 401 ? ' Sign in with `cairn login --token …`.' : ''
      throw new CairnError(`${e?.message ?? `${res.status} ${res.statusText}`}${hint}`, res.status, e?.param ?? null)
    }
    return res
  }
  return {
    base,
    request,
    json: async (method, pathname, json) => {
      const res = await request(method, pathname, json === undefined ? {} : { json })
      return res.status === 204 ? null : res.json()
    },
  }
}
