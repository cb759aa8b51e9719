/**
 * @module Sealing a source's credentials for D1: AES-256-GCM under SOURCE_SECRETS_KEY, with the
 * source's id as additional data so a sealed value copied onto another source does not open. The key
 * lives only in the Workers' secrets; a copy of the database alone gives nothing away.
 */
import { SourceSettingsError } from './errors'

const VERSION = 'v1'

async function importKey(keyBase64: string): Promise<CryptoKey> {
  let raw: Uint8Array
  try {
    raw = Uint8Array.from(atob(keyBase64), (c) => c.charCodeAt(0))
  } catch {
    raw = new Uint8Array()
  }
  if (raw.length !== 32) throw new SourceSettingsError('SOURCE_SECRETS_KEY must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`).')
  return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt'])
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes))
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0))

/** Seals a JSON value for the source `sourceId`; the result is text for a D1 column. */
export async function sealSecret(keyBase64: string | null, sourceId: string, value: unknown): Promise<string> {
  if (!keyBase64) throw new SourceSettingsError('This deployment keeps no key for credentials: set the SOURCE_SECRETS_KEY secret on both Workers (`npm run deploy` does) to add a source that needs them.')
  const key = await importKey(keyBase64)
  const iv = crypto.getRandomValues(new Uint8Array(12))
  const plain = new TextEncoder().encode(JSON.stringify(value))
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(sourceId) }, key, plain))
  return `${VERSION}.${toBase64(iv)}.${toBase64(sealed)}`
}

/** Opens what `sealSecret` sealed for the same source; throws a sentence when the key is missing or not the one it was sealed with. */
export async function openSecret<T>(keyBase64: string | null, sourceId: string, sealed: string): Promise<T> {
  if (!keyBase64) throw new SourceSettingsError("The source's credentials cannot be read: SOURCE_SECRETS_KEY is not set on this Worker.")
  const [version, iv, body] = sealed.split('.')
  if (version !== VERSION || !iv || !body) throw new SourceSettingsError("The source's stored credentials are not in a form this version reads; set them again.")
  const key = await importKey(keyBase64)
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64(iv), additionalData: new TextEncoder().encode(sourceId) }, key, fromBase64(body))
    return JSON.parse(new TextDecoder().decode(plain)) as T
  } catch {
    throw new SourceSettingsError("The source's credentials do not open with this SOURCE_SECRETS_KEY (was the key changed?); set them again.")
  }
}
