/**
 * @module Calling Cairn from a benchmark: one request with a bearer token (JSON or multipart), the
 * parsed answer and its headers, and a thrown error naming the request on anything but 200.
 */

/** `api(token, method, pathname, body?)` against `base`; a FormData body goes as multipart, anything else as JSON. */
export function cairnApi(base) {
  return async function api(token, method, pathname, body) {
    const init = { method, headers: { authorization: `Bearer ${token}` } }
    if (body instanceof FormData) init.body = body
    else if (body !== undefined) {
      init.body = JSON.stringify(body)
      init.headers['content-type'] = 'application/json'
    }
    const res = await fetch(`${base}${pathname}`, init)
    const text = await res.text()
    if (res.status !== 200) throw new Error(`${method} ${pathname}: ${res.status} ${text}`)
    return { body: JSON.parse(text), headers: res.headers }
  }
}

/** The JSON objects of a JSON Lines file's text, one per non-blank line. */
export const parseJsonl = (text) =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l))
