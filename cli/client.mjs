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

/** Times a request refused by a rate limit is sent again, each after the Retry-After Cairn gave. */
const RATE_LIMIT_RETRIES = 5
const MAX_RETRY_AFTER_SECONDS = 60

export function client({ url, token }) {
  const base = url.replace(/\/+$/, '')
  async function send(method, pathname, { json, body, headers = {} }) {
    try {
      return await fetch(`${base}/v1${pathname}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: json !== undefined ? JSON.stringify(json) : body,
      })
    } catch (err) {
      throw new CairnError(`Cairn did not answer at ${base}: ${err.cause?.code ?? err.message}. Is it running? (cairn login --url …)`)
    }
  }
  async function request(method, pathname, options = {}) {
    let res = await send(method, pathname, options)
    // Past a rate limit Cairn says when to try again: a long upload waits and goes on rather than fail.
    for (let attempt = 1; res.status === 429 && attempt <= RATE_LIMIT_RETRIES; attempt++) {
      const seconds = Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Number(res.headers.get('retry-after')) || 1))
      process.stderr.write(`Rate limit reached; trying again in ${seconds} s (${attempt} of ${RATE_LIMIT_RETRIES}).\n`)
      await res.body?.cancel()
      await new Promise((r) => setTimeout(r, seconds * 1000))
      res = await send(method, pathname, options)
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
