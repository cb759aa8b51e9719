/**
 * Files that expire, end to end on real D1, R2 and the queue: OpenAI's `expires_after` form fields at
 * upload, `expires_at` on the file object, refusals of bad values, an expired file hidden from readers
 * at once, and the sweep deleting it with its chunks, vectors and stored bytes while a file without
 * expiry stays searchable.
 * Waiting an hour is not a test: once indexed, the expiring file's time is moved into the past in D1.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AppEnv } from '../../src/config'
import { buildDeps } from '../../src/deps'
import { MAX_EXPIRY_SECONDS, nextExpiry, sweepExpiredFiles } from '../../src/files/expiry'
import { call, callJson, createOrgWithWorkspace, uploadForm, waitForIngestAll } from './api-client'
import { chunkCount, indexRows, vectorCount } from './index-rows'
import { fixtureBytes } from './fixtures'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World

const expiring = (seconds: string, anchor = 'created_at') => ({ 'expires_after[anchor]': anchor, 'expires_after[seconds]': seconds })

beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

describe('expires_after at upload', () => {
  it('sets expires_at from created_at, in the upload, the file and the listing', async () => {
    const file = await callJson('POST', '/v1/files', { token: w.writer.token, form: uploadForm([['short-lived.txt', 'Gone in an hour.']], { workspace: w.ws, ...expiring('3600') }) })
    expect(file.expires_at).toBeGreaterThanOrEqual(file.created_at + 3600)
    expect(file.expires_at).toBeLessThanOrEqual(file.created_at + 3601)
    expect((await callJson('GET', `/v1/files/${file.id}?workspace=${w.ws}`, { token: w.reader.token })).expires_at).toBe(file.expires_at)
    const listed = await callJson('GET', `/v1/files?workspace=${w.ws}`, { token: w.reader.token })
    expect(listed.data.find((f: { id: string }) => f.id === file.id).expires_at).toBe(file.expires_at)
    const plain = await callJson('POST', '/v1/files', { token: w.writer.token, form: uploadForm([['kept.txt', 'Kept.']], { workspace: w.ws }) })
    expect(plain.expires_at).toBeNull()
  })

  it('refuses an anchor or a number of seconds OpenAI would refuse, and stores nothing', async () => {
    const before = (await callJson('GET', `/v1/files?workspace=${w.ws}&limit=1`, { token: w.reader.token })).total
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [expiring('3600', 'last_access'), 'expires_after[anchor]', /must be "created_at"/],
      [expiring('60'), 'expires_after[seconds]', /from 3600 \(one hour\) to 2592000 \(30 days\)/],
      [expiring(String(MAX_EXPIRY_SECONDS + 1)), 'expires_after[seconds]', /30 days/],
      [expiring('an hour'), 'expires_after[seconds]', /whole number/],
      [{ 'expires_after[seconds]': '3600' }, 'expires_after[anchor]', /must be "created_at"/],
    ]
    for (const [fields, param, message] of cases) {
      const res = await call('POST', '/v1/files', { token: w.writer.token, form: uploadForm([['x.txt', 'x']], { workspace: w.ws, ...fields }) })
      const body = (await res.json()) as { error: { param: string; message: string; type: string } }
      expect(res.status, JSON.stringify(body)).toBe(422)
      expect(body.error).toMatchObject({ param, type: 'invalid_request_error' })
      expect(body.error.message).toMatch(message)
    }
    expect((await callJson('GET', `/v1/files?workspace=${w.ws}&limit=1`, { token: w.reader.token })).total).toBe(before)
  })
})

describe('the expiry sweep', () => {
  it('deletes an expired file with its chunks, vectors and bytes, and leaves every other file', async () => {
    const pdf = (await fixtureBytes('samples/pdf/multi_page.pdf'))!
    const [gone] = await callJson('POST', '/v1/files', { token: w.writer.token, form: uploadForm([['expiring.pdf', pdf], ['also-expiring-later.txt', 'Not yet.']], { workspace: w.ws, ...expiring('7200') }) })
    const kept = await callJson('POST', '/v1/files', { token: w.writer.token, form: uploadForm([['kept.pdf', pdf]], { workspace: w.ws }) })
    for (const f of await waitForIngestAll(w.writer.token, w.ws, [gone.id, kept.id])) expect(f.status).toBe('processed')
    const where = { orgId: w.admin.orgId, workspaceId: w.ws }
    const chunksOf = (id: string) => chunkCount(id, where)
    expect(await chunksOf(gone.id)).toBeGreaterThan(0)
    const blobKey = (await env.DB.prepare('SELECT blob_key FROM files WHERE id = ?').bind(gone.id).first<{ blob_key: string }>())!.blob_key
    expect(await env.FILES.head(blobKey)).not.toBeNull()

    const deps = buildDeps(env as unknown as AppEnv)
    // Tests embed nothing by default: give one chunk of the expiring file a vector in the local store, as an embedder would.
    const [chunk] = await indexRows<{ id: string }>(gone.id, 'SELECT id FROM chunks WHERE file_id = ? LIMIT 1')
    await deps.vectors.upsert(where, [{ id: chunk!.id, values: [0.6, 0.8], metadata: { file_id: gone.id } }])
    const vectorsOf = (id: string) => vectorCount(id, where)
    expect(await vectorsOf(gone.id)).toBe(1)
    // Nothing has expired yet: the sweep deletes nothing, and the next expiry is the earliest one.
    expect(await sweepExpiredFiles(deps)).toBe(0)
    const soonest = await nextExpiry(deps)
    expect(soonest).not.toBeNull()
    expect(soonest!).toBeLessThanOrEqual(gone.expires_at * 1000 + 999)

    // An hour and more later, as far as the file knows.
    await env.DB.prepare('UPDATE files SET expires_at_ms = ? WHERE id = ?').bind(Date.now() - 1000, gone.id).run()
    await deps.index.publish([{ id: gone.id, ...where }])
    // Gone to readers at once, before the sweep has run: not listed, not found, not searched.
    const ask = async () =>
      new Set(
        (
          await callJson('POST', '/v1/chat/completions', {
            token: w.reader.token,
            body: { model: 'l0-retrieval', workspace: w.ws, messages: [{ role: 'user', content: 'Who patented the typewriter in 1868?' }] },
          })
        ).choices.map((c: { metadata: { file_id: string } }) => c.metadata.file_id),
      )
    const listed = await callJson('GET', `/v1/files?workspace=${w.ws}&limit=100`, { token: w.reader.token })
    expect(listed.data.map((f: { id: string }) => f.id)).not.toContain(gone.id)
    expect((await call('GET', `/v1/files/${gone.id}?workspace=${w.ws}`, { token: w.reader.token })).status).toBe(404)
    expect((await ask()).has(gone.id)).toBe(false)
    expect(await chunksOf(gone.id)).toBeGreaterThan(0)
    expect(await sweepExpiredFiles(deps)).toBe(1)

    expect((await call('GET', `/v1/files/${gone.id}?workspace=${w.ws}`, { token: w.reader.token })).status).toBe(404)
    expect(await chunksOf(gone.id)).toBe(0)
    expect(await env.FILES.head(blobKey)).toBeNull()
    expect(await vectorsOf(gone.id)).toBe(0)

    // The file without expiry, and the one expiring later, are untouched; the kept one still answers.
    expect((await callJson('GET', `/v1/files/${kept.id}?workspace=${w.ws}`, { token: w.reader.token })).status).toBe('processed')
    expect(await chunksOf(kept.id)).toBeGreaterThan(0)
    const later = await callJson('GET', `/v1/files?workspace=${w.ws}&limit=100`, { token: w.reader.token })
    expect(later.data.map((f: { filename: string }) => f.filename)).toContain('also-expiring-later.txt')
    const found = await ask()
    expect(found.has(gone.id)).toBe(false)
    expect(found.has(kept.id)).toBe(true)
  })
})
