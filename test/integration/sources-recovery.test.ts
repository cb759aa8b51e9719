/**
 * What keeps a source in step without anyone asking, and what a crash leaves: a sync whose message was
 * lost is resumed by the sweep; a scheduled sync starts when due and schedules the next; a sync retried
 * after it stored a file but before it recorded it finds that file instead of storing a second; an R2
 * event notification indexes or removes one object at once.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildDeps } from '../../src/deps'
import { applyBucketEvent } from '../../src/sources/r2-events'
import { sweepSources } from '../../src/sources/schedule'
import { callJson, createOrgWithWorkspace, unique } from './api-client'
import { filesOfSource, waitForSync } from './source-client'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

const deps = () => buildDeps(env)
const bucket = () => (env as unknown as { SOURCE_BUCKET: R2Bucket }).SOURCE_BUCKET

async function connectedSource(keys: string[], extra: Record<string, unknown> = {}, settings: Record<string, unknown> = {}) {
  const prefix = `${unique('rec')}/`
  for (const key of keys) await bucket().put(`${prefix}${key}`, `# ${key}\n\nAbout ${key}.\n`)
  const name = unique('r2')
  const source = await callJson('POST', '/sources', { token: w.writer.token, body: { type: 'r2', name, workspace: w.ws, settings: { binding: 'SOURCE_BUCKET', prefix, ...settings }, ...extra } })
  const synced = await waitForSync(w.writer.token, source.id)
  expect(synced.status, synced.status_details).toBe('idle')
  return { prefix, name, source }
}

describe('a source kept in step', () => {
  it('a sync whose message was lost is resumed by the sweep, and finishes without storing anything twice', async () => {
    const { name, source } = await connectedSource(['a.md', 'b.md', 'c.md'])
    const before = (await filesOfSource(w.writer.token, w.ws, name)).map((f) => f.id).sort()
    // As a runtime that stopped mid-sync leaves it: syncing, its message gone, no sign of life for an hour.
    const lost = Date.now() - 3_600_000
    await env.DB.prepare("UPDATE sources SET status = 'syncing', sync_id = 'sync-lost', sync_cursor = NULL, sync_progress_at = ?, added = 0, updated = 0, removed = 0, failed = 0, unchanged = 0 WHERE id = ?").bind(lost, source.id).run()
    const sweep = await sweepSources(deps())
    expect(sweep.resumed).toBeGreaterThanOrEqual(1)
    const resumed = await waitForSync(w.writer.token, source.id)
    expect(resumed.status).toBe('idle')
    expect(resumed.last_sync).toMatchObject({ added: 0, unchanged: 3, removed: 0 })
    expect((await filesOfSource(w.writer.token, w.ws, name)).map((f) => f.id).sort()).toEqual(before)
  })

  it('a sync retried after storing a file but before recording it finds that file', async () => {
    const { prefix, name, source } = await connectedSource(['a.md', 'b.md'])
    const before = (await filesOfSource(w.writer.token, w.ws, name)).map((f) => f.id).sort()
    // The crash window: the file exists, the record of it does not.
    await env.DB.prepare('DELETE FROM source_objects WHERE source_id = ? AND key = ?').bind(source.id, `${prefix}a.md`).run()
    await callJson('POST', `/sources/${source.id}/sync`, { token: w.writer.token })
    await waitForSync(w.writer.token, source.id)
    expect((await filesOfSource(w.writer.token, w.ws, name)).map((f) => f.id).sort()).toEqual(before)
    const recorded = await env.DB.prepare('SELECT file_id FROM source_objects WHERE source_id = ? AND key = ?').bind(source.id, `${prefix}a.md`).first<{ file_id: string }>()
    expect(before).toContain(recorded!.file_id)
  })

  it('a file of the source that no key names any more is removed when the sync ends', async () => {
    const { prefix, name, source } = await connectedSource(['a.md'])
    // A sync that stored a new version and stopped before recording it leaves the new file unnamed.
    await env.DB.prepare("UPDATE source_objects SET file_id = 'file-gone', version = 'old' WHERE source_id = ? AND key = ?").bind(source.id, `${prefix}a.md`).run()
    await callJson('POST', `/sources/${source.id}/sync`, { token: w.writer.token })
    const after = await waitForSync(w.writer.token, source.id)
    expect(after.last_sync).toMatchObject({ added: 1 })
    expect(await filesOfSource(w.writer.token, w.ws, name)).toHaveLength(1)
  })

  it('a scheduled sync starts when due and schedules the next', async () => {
    const { source } = await connectedSource(['a.md'], { sync_every_minutes: 60 })
    const scheduled = await callJson('GET', `/sources/${source.id}`, { token: w.writer.token })
    const next = Date.parse(scheduled.next_sync_at)
    expect(next - Date.parse(scheduled.last_synced_at)).toBe(3_600_000)
    await env.DB.prepare('UPDATE sources SET next_sync_at = ? WHERE id = ?').bind(Date.now() - 1000, source.id).run()
    const sweep = await sweepSources(deps())
    expect(sweep.started).toBeGreaterThanOrEqual(1)
    const synced = await waitForSync(w.writer.token, source.id)
    expect(synced.last_sync).toMatchObject({ unchanged: 1 })
    expect(Date.parse(synced.next_sync_at)).toBeGreaterThan(Date.now() + 3_500_000)
  })

  it('an R2 event notification indexes a new or overwritten object and removes a deleted one', async () => {
    const { prefix, name } = await connectedSource(['a.md'], {}, { bucket_name: 'cairn-source' })
    const event = (action: string, key: string) => ({ account: 'acct', bucket: 'cairn-source', object: { key }, action, eventTime: new Date().toISOString() })

    await bucket().put(`${prefix}new.md`, '# New\n\nArrived by event.\n')
    expect(await applyBucketEvent(deps(), event('PutObject', `${prefix}new.md`))).toContain('added')
    let files = await filesOfSource(w.writer.token, w.ws, name)
    expect(files.map((f) => f.filename).sort()).toEqual([`${prefix}a.md`, `${prefix}new.md`])

    await bucket().put(`${prefix}new.md`, '# New\n\nOverwritten.\n')
    expect(await applyBucketEvent(deps(), event('PutObject', `${prefix}new.md`))).toContain('updated')
    expect(await applyBucketEvent(deps(), event('PutObject', `${prefix}new.md`))).toContain('unchanged')

    await bucket().delete(`${prefix}a.md`)
    expect(await applyBucketEvent(deps(), event('DeleteObject', `${prefix}a.md`))).toContain('removed')
    files = await filesOfSource(w.writer.token, w.ws, name)
    expect(files.map((f) => f.filename)).toEqual([`${prefix}new.md`])
    // Another bucket's events, and keys outside the prefix, touch nothing.
    expect(await applyBucketEvent(deps(), { ...event('PutObject', `${prefix}new.md`), bucket: 'someone-else' })).toEqual([])
    expect(await applyBucketEvent(deps(), event('PutObject', 'elsewhere/x.md'))).not.toContain('added')
  })
})
