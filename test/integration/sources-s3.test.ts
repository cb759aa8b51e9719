/**
 * An S3 source against a real S3-compatible server on 127.0.0.1 (s3rver, which checks
 * key ids; it does not verify SigV4 signatures): the first sync indexes the bucket under a prefix, a later one reflects changes; the
 * secret key is sealed in D1 and appears in no answer; wrong keys and an unreachable endpoint are
 * refused when the source is connected, with a sentence that holds no secret.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, unique } from './api-client'
import { fixtureBytes } from './fixtures'
import { filesOfSource, waitForSync } from './source-client'
import { createBucket, deleteObject, putObject } from '../support/s3-objects'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
const s3Url = inject('s3Url')
const SECRET = 'S3RVER'
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

const settingsFor = (bucket: string, extra: Record<string, unknown> = {}) => ({ endpoint: s3Url, bucket, region: 'us-east-1', access_key_id: 'S3RVER', secret_access_key: SECRET, ...extra })

describe('an S3-compatible bucket', () => {
  it('syncs a prefix, reflects changes, and never shows its secret', async () => {
    const bucket = unique('bkt').toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40)
    await createBucket(s3Url, bucket)
    await putObject(s3Url, bucket, 'contracts/msa.docx', await fixtureBytes('samples/docx/lorem_ipsum.docx'))
    await putObject(s3Url, bucket, 'contracts/rates.csv', await fixtureBytes('samples/csv/csv-comma.csv'))
    await putObject(s3Url, bucket, 'contracts/nested/terms.md', new TextEncoder().encode('# Terms\n\nPayment within 30 days.\n'))
    await putObject(s3Url, bucket, 'marketing/flyer.md', new TextEncoder().encode('# Flyer\n'))

    const name = unique('s3')
    const created = await call('POST', '/sources', { token: w.writer.token, body: { type: 's3', name, workspace: w.ws, settings: settingsFor(bucket, { prefix: 'contracts/' }) } })
    const createdText = await created.text()
    expect(created.status, createdText).toBe(200)
    const source = JSON.parse(createdText)
    expect(source.has_credentials).toBe(true)
    expect(source.settings).toEqual({ endpoint: s3Url, bucket, region: 'us-east-1', prefix: 'contracts/', path_style: true, include: [], exclude: [] })

    const synced = await waitForSync(w.writer.token, source.id)
    expect(synced.status, synced.status_details).toBe('idle')
    expect(synced.last_sync).toMatchObject({ added: 3, failed: 0 })
    const files = await filesOfSource(w.writer.token, w.ws, name)
    expect(files.map((f) => f.filename).sort()).toEqual(['contracts/msa.docx', 'contracts/nested/terms.md', 'contracts/rates.csv'])

    await putObject(s3Url, bucket, 'contracts/nested/terms.md', new TextEncoder().encode('# Terms\n\nPayment within 45 days.\n'))
    await deleteObject(s3Url, bucket, 'contracts/rates.csv')
    await callJson('POST', `/sources/${source.id}/sync`, { token: w.writer.token })
    const second = await waitForSync(w.writer.token, source.id)
    expect(second.last_sync).toMatchObject({ added: 0, updated: 1, removed: 1, unchanged: 1, failed: 0 })
    expect((await filesOfSource(w.writer.token, w.ws, name)).map((f) => f.filename).sort()).toEqual(['contracts/msa.docx', 'contracts/nested/terms.md'])

    // The secret is sealed at rest and in no answer.
    const row = await env.DB.prepare('SELECT settings, sealed_secret FROM sources WHERE id = ?').bind(source.id).first<{ settings: string; sealed_secret: string }>()
    expect(row!.settings).not.toContain('secret_access_key')
    expect(row!.sealed_secret).toMatch(/^v1\./)
    expect(row!.sealed_secret).not.toContain(SECRET)
    for (const path of [`/sources/${source.id}`, `/sources?workspace=${w.ws}`]) {
      const text = await (await call('GET', path, { token: w.writer.token })).text()
      expect(text).not.toContain('secret_access_key')
      expect(text).not.toContain('"S3RVER"')
    }
  })

  it('wrong keys, a missing bucket and an unreachable endpoint are refused with a sentence and no secret', async () => {
    const bucket = unique('bkt').toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40)
    await createBucket(s3Url, bucket)
    const wrongSecret = 'not-the-secret-4b1d'
    // s3rver checks the key id but not a SigV4 signature, so a wrong key pair is a key id it does not know.
    const cases = [
      settingsFor(bucket, { access_key_id: 'AKIANOTAKEY', secret_access_key: wrongSecret }),
      settingsFor(`${bucket}-missing`),
      settingsFor(bucket, { endpoint: 'http://127.0.0.1:9/' }),
    ]
    for (const settings of cases) {
      const res = await call('POST', '/sources', { token: w.writer.token, body: { type: 's3', name: unique('s3'), workspace: w.ws, settings } })
      const text = await res.text()
      expect(res.status, text).toBe(422)
      const body = JSON.parse(text)
      expect(body.error.code).toBe('source_unreachable')
      expect(body.error.message.length).toBeGreaterThan(20)
      expect(text).not.toContain(wrongSecret)
    }
  })

  it('refuses keys, names and prefixes that could not travel in a signed request, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ session_token: 'token\nwith-a-newline' }, 'settings.session_token'],
      [{ secret_access_key: 'sécret' }, 'settings.secret_access_key'],
      [{ bucket: 'a/b' }, 'settings.bucket'],
      [{ region: 'us east 1' }, 'settings.region'],
      [{ prefix: 'reports/\ud800' }, 'settings.prefix'],
    ]
    for (const [override, param] of cases) {
      const res = await call('POST', '/sources', { token: w.writer.token, body: { type: 's3', name: unique('s3'), workspace: w.ws, settings: settingsFor('bucket', override) } })
      const text = await res.text()
      expect(res.status, text).toBe(422)
      expect(JSON.parse(text).error.param).toBe(param)
    }
  })
})
