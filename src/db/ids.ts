/**
 * @module Identifier and secret generation. Ids carry a type prefix (`user-…`, `file-…`,
 * OpenAI's style) so a misplaced id is obvious in a log; token values carry `cairn_`.
 */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789'

function randomString(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length))
  let out = ''
  // 256 % 36 leaves a small bias; ids need uniqueness, not uniformity.
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return out
}

export type IdPrefix = 'org' | 'user' | 'tok'

export function newId(prefix: IdPrefix): string {
  return `${prefix}-${randomString(24)}`
}

/** A bearer token value: 32 random bytes, base64url. */
export function newTokenValue(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32))
  const b64 = btoa(String.fromCharCode(...bytes))
  return `cairn_${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`
}

/** Bytes as lower-case hex. */
export function toHex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** An id of `bytes` random bytes in hex after its prefix (`file-…`, `source-…`, `sync-…`). */
export function newHexId(prefix: string, bytes = 12): string {
  return `${prefix}-${toHex(crypto.getRandomValues(new Uint8Array(bytes)))}`
}

/** Hex SHA-256 of a string (as UTF-8) or of bytes. */
export async function sha256Hex(value: string | Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', typeof value === 'string' ? new TextEncoder().encode(value) : value)
  return toHex(new Uint8Array(digest))
}
