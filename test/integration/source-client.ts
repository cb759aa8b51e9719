/**
 * @module Helpers for the sources' tests: waiting for a sync to end, and listing a source's files.
 */
import { callJson } from './api-client'

/** Polls the source until its sync ends; returns it. */
export async function waitForSync(token: string, sourceId: string, timeoutMs = 60_000): Promise<any> {
  const started = Date.now()
  for (;;) {
    const source = await callJson('GET', `/sources/${sourceId}`, { token })
    if (source.status !== 'syncing') return source
    if (Date.now() - started > timeoutMs) throw new Error(`source ${sourceId} still syncing after ${timeoutMs} ms: ${JSON.stringify(source.last_sync)}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The files a source brought into the workspace, found with the filter users would write. */
export async function filesOfSource(token: string, workspace: string, name: string): Promise<any[]> {
  const filter = encodeURIComponent(`metadata.source = '${name}'`)
  const list = await callJson('GET', `/files?workspace=${workspace}&limit=100&metadata=${filter}`, { token })
  return list.data
}
