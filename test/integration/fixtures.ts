/**
 * @module Reading `../shared/fixtures` from tests in workerd, through the FIXTURES service binding.
 */
import { env } from 'cloudflare:test'

export async function fixtureBytes(relativePath: string): Promise<Uint8Array> {
  const url = `http://fixtures/${relativePath.split('/').map(encodeURIComponent).join('/')}`
  // The binding to the Node side can drop a connection on a busy machine ("Network connection lost"); once more is enough.
  const res = await env.FIXTURES.fetch(url).catch(() => env.FIXTURES.fetch(url))
  if (!res.ok) throw new Error(`fixture ${relativePath}: ${res.status} ${await res.text()}`)
  return new Uint8Array(await res.arrayBuffer())
}

export async function fixtureText(relativePath: string): Promise<string> {
  return new TextDecoder().decode(await fixtureBytes(relativePath))
}

/** The fixture files under a folder, recursively, as paths relative to the fixtures root. */
export async function fixtureList(folder: string): Promise<string[]> {
  const res = await env.FIXTURES.fetch(`http://fixtures/${folder.replace(/\/?$/, '/')}`)
  if (!res.ok) throw new Error(`fixture folder ${folder}: ${res.status}`)
  return res.json()
}
