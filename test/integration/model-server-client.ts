/**
 * The scripted OpenAI-compatible model server (started by `test/model-server/global-setup.ts`) as
 * tests drive it: its URL, what a model will answer next, and what it was sent.
 */
import { inject } from 'vitest'
import type { Received, Scripted } from '../model-server/server'

export const server = inject('modelServerUrl')

/** Queues `responses` for `model`: each call the model gets takes the next one. */
export async function script(model: string, responses: Scripted[]): Promise<void> {
  const res = await fetch(`${server}/__script`, { method: 'POST', body: JSON.stringify({ model, responses }) })
  if (!res.ok) throw new Error(`the model server refused the script for ${model}: ${res.status}`)
}

/** Every request `model` was sent, oldest first; `body` is the request's JSON, loosely typed for reading into. */
export async function received(model: string): Promise<Array<Received & { body: any }>> {
  return (await fetch(`${server}/__log?model=${encodeURIComponent(model)}`)).json()
}
