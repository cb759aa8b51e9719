/**
 * An R2 source against miniflare's R2 (the `SOURCE_BUCKET` binding of wrangler.toml's local env):
 * the first sync indexes what the bucket holds as ordinary files carrying `metadata.source` and their
 * key; a later sync reflects objects added, overwritten and deleted, and leaves the unchanged alone;
 * a type Cairn does not read is counted as failed without stopping the sync. Who may manage sources,
 * what a bad setting answers, and disconnecting with and without the files.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, unique, waitForIngestAll } from './api-client'
import { chunkCount } from './index-rows'
import { fixtureBytes } from './fixtures'
import { filesOfSource, waitForSync } from './source-client'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

const bucket = () => (env as unknown as { SOURCE_BUCKET: R2Bucket }).SOURCE_BUCKET

async function connect(prefix: string, extra: Record<string, unknown> = {}) {
  const name = unique('r2')
  const source = await callJson('POST', '/sources', { token: w.writer.token, body: { type: 'r2', name, workspace: w.ws, settings: { binding: 'SOURCE_BUCKET', prefix }, ...extra } })
  return { name, source }
}

describe('an R2 bucket, synced in place', () => {
  it('indexes the bucket, then reflects added, changed and deleted objects; an unreadable type fails alone', async () => {
    const prefix = `${unique('team')}/`
    await bucket().put(`${prefix}handbook.md`, '# Handbook\n\nThe office opens at nine.\n')
    await bucket().put(`${prefix}reports/q1.pdf`, await fixtureBytes('samples/pdf/normal_4pages.pdf'))
    await bucket().put(`${prefix}notes.txt`, 'Parking is on level two.\n')
    await bucket().put(`${prefix}tool.exe`, new Uint8Array([0x4d, 0x5a, 0x90, 0x00]))
    await bucket().put(`other-${prefix}outside.md`, '# Not under the prefix\n')

    const { name, source } = await connect(prefix, { metadata: { team: 'ops' } })
    expect(source.status).toBe('syncing')
    const first = await waitForSync(w.writer.token, source.id)
    expect(first.status, first.status_details).toBe('idle')
    expect(first.last_sync).toMatchObject({ added: 3, updated: 0, removed: 0, failed: 1, unchanged: 0 })
    expect(first.status_details).toContain('tool.exe')

    let files = await filesOfSource(w.writer.token, w.ws, name)
    expect(files.map((f) => f.filename).sort()).toEqual([`${prefix}handbook.md`, `${prefix}notes.txt`, `${prefix}reports/q1.pdf`])
    const handbook = files.find((f) => f.filename.endsWith('handbook.md'))
    expect(handbook.metadata).toEqual({ team: 'ops', source: name, key: `${prefix}handbook.md` })
    const done = await waitForIngestAll(w.writer.token, w.ws, files.map((f) => f.id))
    expect(done.map((f) => f.status)).toEqual(['processed', 'processed', 'processed'])

    // A sync with nothing changed stores nothing.
    await callJson('POST', `/sources/${source.id}/sync`, { token: w.writer.token })
    const idle = await waitForSync(w.writer.token, source.id)
    expect(idle.last_sync).toMatchObject({ added: 0, updated: 0, removed: 0, failed: 0, unchanged: 4 })
    expect((await filesOfSource(w.writer.token, w.ws, name)).map((f) => f.id).sort()).toEqual(files.map((f) => f.id).sort())

    await bucket().put(`${prefix}handbook.md`, '# Handbook\n\nThe office opens at eight thirty.\n')
    await bucket().delete(`${prefix}notes.txt`)
    await bucket().put(`${prefix}new/faq.md`, '# FAQ\n\nLunch is served from noon.\n')
    await callJson('POST', `/sources/${source.id}/sync`, { token: w.writer.token })
    const second = await waitForSync(w.writer.token, source.id)
    expect(second.last_sync).toMatchObject({ added: 1, updated: 1, removed: 1, failed: 0, unchanged: 2 })

    files = await filesOfSource(w.writer.token, w.ws, name)
    expect(files.map((f) => f.filename).sort()).toEqual([`${prefix}handbook.md`, `${prefix}new/faq.md`, `${prefix}reports/q1.pdf`])
    const newHandbook = files.find((f) => f.filename.endsWith('handbook.md'))
    expect(newHandbook.id).not.toBe(handbook.id)
    await waitForIngestAll(w.writer.token, w.ws, files.map((f) => f.id))
    const content = await call('GET', `/files/${newHandbook.id}/content`, { token: w.writer.token })
    expect(await content.text()).toContain('eight thirty')
    // The replaced file is gone with its chunks.
    expect((await call('GET', `/files/${handbook.id}`, { token: w.writer.token })).status).toBe(404)
    expect(await chunkCount(handbook.id, { orgId: w.writer.orgId, workspaceId: w.ws })).toBe(0)
  })

  it('a file deleted by a user comes back on the next sync', async () => {
    const prefix = `${unique('team')}/`
    await bucket().put(`${prefix}a.md`, '# A\n\nAlpha.\n')
    const { name, source } = await connect(prefix)
    await waitForSync(w.writer.token, source.id)
    const [file] = await filesOfSource(w.writer.token, w.ws, name)
    await callJson('DELETE', `/files/${file.id}?workspace=${w.ws}`, { token: w.writer.token })
    await callJson('POST', `/sources/${source.id}/sync`, { token: w.writer.token })
    const after = await waitForSync(w.writer.token, source.id)
    expect(after.last_sync).toMatchObject({ added: 1, unchanged: 0 })
    expect(await filesOfSource(w.writer.token, w.ws, name)).toHaveLength(1)
  })

  it('include and exclude globs choose the keys', async () => {
    const prefix = `${unique('team')}/`
    await bucket().put(`${prefix}a.md`, '# A\n')
    await bucket().put(`${prefix}deep/b.md`, '# B\n')
    await bucket().put(`${prefix}deep/draft-c.md`, '# C\n')
    await bucket().put(`${prefix}d.txt`, 'D\n')
    const name = unique('r2')
    const source = await callJson('POST', '/sources', {
      token: w.writer.token,
      body: { type: 'r2', name, workspace: w.ws, settings: { binding: 'SOURCE_BUCKET', prefix, include: ['**/*.md'], exclude: ['**/draft-*'] } },
    })
    await waitForSync(w.writer.token, source.id)
    expect((await filesOfSource(w.writer.token, w.ws, name)).map((f) => f.filename).sort()).toEqual([`${prefix}a.md`, `${prefix}deep/b.md`])
  })

  it('disconnecting keeps the files as ordinary ones, or deletes them when asked', async () => {
    const prefix = `${unique('team')}/`
    await bucket().put(`${prefix}a.md`, '# A\n\nAlpha.\n')
    const kept = await connect(prefix)
    await waitForSync(w.writer.token, kept.source.id)
    const gone = await connect(prefix)
    await waitForSync(w.writer.token, gone.source.id)

    const keep = await callJson('DELETE', `/sources/${kept.source.id}`, { token: w.writer.token })
    expect(keep).toEqual({ id: kept.source.id, object: 'source', deleted: true, files_deleted: 0 })
    expect(await filesOfSource(w.writer.token, w.ws, kept.name)).toHaveLength(1)
    const drop = await callJson('DELETE', `/sources/${gone.source.id}?delete_files=true`, { token: w.writer.token })
    expect(drop.files_deleted).toBe(1)
    expect(await filesOfSource(w.writer.token, w.ws, gone.name)).toHaveLength(0)
    expect((await call('GET', `/sources/${gone.source.id}`, { token: w.writer.token })).status).toBe(404)
  })
})

describe('who manages sources, and what a bad setting answers', () => {
  it('deleting a workspace takes its sources and their files with it', async () => {
    const ws = unique('gone')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id: ws } })
    const prefix = `${unique('team')}/`
    await bucket().put(`${prefix}a.md`, '# A\n')
    const source = await callJson('POST', '/sources', { token: w.admin.token, body: { type: 'r2', name: 'docs', workspace: ws, settings: { binding: 'SOURCE_BUCKET', prefix } } })
    await waitForSync(w.admin.token, source.id)
    expect((await call('DELETE', `/workspaces/${ws}`, { token: w.admin.token })).status).toBe(204)
    expect((await call('GET', `/sources/${source.id}`, { token: w.admin.token })).status).toBe(404)
    const left = await env.DB.prepare('SELECT (SELECT count(*) FROM source_objects WHERE source_id = ?1) + (SELECT count(*) FROM files WHERE source_id = ?1) AS n').bind(source.id).first<{ n: number }>()
    expect(left!.n).toBe(0)
  })

  it('readers see sources but cannot connect, sync or disconnect them; other orgs do not see them', async () => {
    const { source } = await connect(`${unique('team')}/`)
    await waitForSync(w.writer.token, source.id)
    const listed = await callJson('GET', `/sources?workspace=${w.ws}`, { token: w.reader.token })
    expect(listed.data.map((s: { id: string }) => s.id)).toContain(source.id)
    expect((await call('POST', `/sources/${source.id}/sync`, { token: w.reader.token })).status).toBe(403)
    expect((await call('DELETE', `/sources/${source.id}`, { token: w.reader.token })).status).toBe(403)
    const refused = await call('POST', '/sources', { token: w.reader.token, body: { type: 'r2', name: unique('r2'), workspace: w.ws, settings: { binding: 'SOURCE_BUCKET' } } })
    expect(refused.status).toBe(403)
    const stranger = await createOrgWithWorkspace()
    expect((await call('GET', `/sources/${source.id}`, { token: stranger.writer.token })).status).toBe(404)
  })

  it("an unbound bucket, Cairn's own bucket, a taken name and a bad body are refused with a sentence", async () => {
    const unbound = await call('POST', '/sources', { token: w.writer.token, body: { type: 'r2', name: unique('r2'), workspace: w.ws, settings: { binding: 'NOPE' } } })
    expect(unbound.status).toBe(422)
    const body = (await unbound.json()) as any
    expect(body.error.message).toContain('No R2 bucket is bound as "NOPE"')
    expect(body.error.message).toContain('SOURCE_BUCKET')
    expect((await call('POST', '/sources', { token: w.writer.token, body: { type: 'r2', name: unique('r2'), workspace: w.ws, settings: { binding: 'FILES' } } })).status).toBe(422)

    const { name } = await connect(`${unique('team')}/`)
    const taken = await call('POST', '/sources', { token: w.writer.token, body: { type: 'r2', name, workspace: w.ws, settings: { binding: 'SOURCE_BUCKET' } } })
    expect(taken.status).toBe(409)

    for (const bad of [{ type: 'ftp', name: 'x', settings: {} }, { type: 'r2', name: 'Bad Name', settings: { binding: 'SOURCE_BUCKET' } }, { type: 'r2', name: 'ok', settings: { binding: 'SOURCE_BUCKET', extra: 1 } }, { type: 'web', name: 'ok', settings: { url: 'ftp://example.com/' } }]) {
      const res = await call('POST', '/sources', { token: w.writer.token, body: { ...bad, workspace: w.ws } })
      expect(res.status, JSON.stringify(bad)).toBe(422)
      expect(((await res.json()) as any).error.type).toBe('invalid_request_error')
    }
  })
})
