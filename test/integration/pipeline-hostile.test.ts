/**
 * Every hostile fixture goes through upload and the pipeline: each is refused at upload with a reason
 * naming it, or ends `error` with a plain sentence, or `processed` when it is in fact valid; nothing
 * crashes or hangs, and a good file uploaded beside damaged ones is processed and searchable.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, uploadForm, waitForIngest, waitForIngestAll } from './api-client'
import { chunkCount, ftsCount } from './index-rows'
import { fixtureBytes, fixtureList } from './fixtures'
import { amplifyingFiles } from '../support/amplifying-files.mjs'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
let hostile: string[]
beforeAll(async () => {
  w = await createOrgWithWorkspace()
  // The PDF folder's readme is documentation, not a fixture.
  hostile = (await fixtureList('hostile')).filter((p) => !p.endsWith('.md'))
})

type Outcome = { path: string; outcome: 'refused' | 'error' | 'processed'; sentence: string | null; fileId?: string }

async function feed(path: string): Promise<Outcome> {
  const name = path.split('/').pop()!
  const res = await call('POST', '/files', { token: w.writer.token, form: uploadForm([[name, await fixtureBytes(path)]], { workspace: w.ws }) })
  if (res.status === 422) {
    const { error } = await res.json<any>()
    expect(error.message, path).toContain(`"${name}"`)
    return { path, outcome: 'refused', sentence: error.message }
  }
  expect(res.status, path).toBe(200)
  const file = await res.json<any>()
  const done = await waitForIngest(w.writer.token, file.id, 90_000)
  return { path, outcome: done.status, sentence: done.status_details, fileId: file.id }
}

/** Uploads several in one batch (fewer requests); a refused batch falls back to one upload each. */
async function feedBatch(paths: string[]): Promise<Outcome[]> {
  const named = await Promise.all(paths.map(async (p) => [p.split('/').pop()!, await fixtureBytes(p)] as [string, Uint8Array]))
  const res = await call('POST', '/files', { token: w.writer.token, form: uploadForm(named, { workspace: w.ws }) })
  if (res.status === 422) return Promise.all(paths.map(feed))
  expect(res.status).toBe(200)
  const files = (await res.json()) as Array<{ id: string }>
  const done = await waitForIngestAll(w.writer.token, w.ws, files.map((f) => f.id))
  return done.map((d, i) => ({ path: paths[i]!, outcome: d.status, sentence: d.status_details, fileId: d.id }))
}

function expectPlainSentence(o: Outcome) {
  expect(o.sentence, o.path).toBeTruthy()
  expect(o.sentence!.length, o.path).toBeLessThanOrEqual(1000)
  expect(o.sentence, o.path).not.toMatch(/\n\s+at |Error:|undefined|\[object /)
}

describe('hostile files through the pipeline', () => {
  it('each is refused, fails cleanly, or is processed — and failures leave no chunks', async () => {
    const outcomes: Outcome[] = []
    const jsonSuite = hostile.filter((p) => p.includes('JSONTestSuite'))
    for (const path of hostile.filter((p) => !jsonSuite.includes(p))) outcomes.push(await feed(path))
    for (let i = 0; i < jsonSuite.length; i += 25) outcomes.push(...(await feedBatch(jsonSuite.slice(i, i + 25))))
    // None needed the dead-letter queue: every failure was recognised for what it is.
    for (const o of outcomes) expect(o.sentence ?? '', o.path).not.toMatch(/several attempts/)
    expect(outcomes).toHaveLength(hostile.length)
    for (const o of outcomes) {
      if (o.outcome !== 'processed') expectPlainSentence(o)
      if (o.outcome === 'error' && o.fileId) {
        expect(await chunkCount(o.fileId), o.path).toBe(0)
      }
    }
    // JSONTestSuite: y_ must parse, n_ must be rejected (at upload or in the pipeline).
    for (const o of outcomes.filter((x) => x.path.includes('/y_'))) expect(o.outcome, `${o.path}: ${o.sentence}`).toBe('processed')
    for (const o of outcomes.filter((x) => x.path.includes('/n_'))) expect(o.outcome, o.path).not.toBe('processed')
    // Encrypted PDFs say so. (empty_protected.pdf has an empty user password: it opens, and is processed.)
    for (const o of outcomes.filter((x) => /encryption_openpassword|password_1234/.test(x.path))) {
      expect(o.outcome, o.path).toBe('error')
      expect(o.sentence, o.path).toMatch(/password|encrypted/i)
    }
    const tally = outcomes.reduce<Record<string, number>>((t, o) => ({ ...t, [o.outcome]: (t[o.outcome] ?? 0) + 1 }), {})
    console.log(`hostile fixtures through the pipeline: ${outcomes.length} fed, ${JSON.stringify(tally)}`)
  }, 600_000)

  it('a good file uploaded in the same batch as damaged ones is processed and searchable', async () => {
    const damaged = ['hostile/office/54764_billion_laughs.xlsx', 'hostile/pdf/bomb_giant.pdf', 'hostile/pdf/encryption_openpassword.pdf']
    const form = uploadForm(
      [
        ['good.md', '# Launch vehicles\n\nThe Vulcan Centaur stands 61.6 m tall.'],
        ...(await Promise.all(damaged.map(async (p) => [p.split('/').pop()!, await fixtureBytes(p)] as [string, Uint8Array]))),
      ],
      { workspace: w.ws },
    )
    const files = await callJson('POST', '/files', { token: w.writer.token, form })
    const done = await Promise.all(files.map((f: { id: string }) => waitForIngest(w.writer.token, f.id, 90_000)))
    expect(done[0].status).toBe('processed')
    expect(await ftsCount(files[0].id, 'vulcan')).toBe(1)
    for (const d of done.slice(1)) expect(['error', 'processed'], d.filename).toContain(d.status)
    expect(done[3].status).toBe('error')
  }, 300_000)

  it('files that expand past the output budget end error with a sentence, leave nothing behind, and disturb no other file', async () => {
    const amplifying = amplifyingFiles()
    const form = uploadForm([['good.md', '# Launch vehicles\n\nThe Ariane 6 stands 63 m tall.'], ...amplifying], { workspace: w.ws })
    const files = await callJson('POST', '/files', { token: w.writer.token, form })
    expect(files).toHaveLength(amplifying.length + 1)
    const done = await waitForIngestAll(w.writer.token, w.ws, files.map((f: { id: string }) => f.id))
    const outcomes = Object.fromEntries(done.slice(1).map((d) => [d.filename, d]))
    expect(done[0]!.status).toBe('processed')
    // Over the budget: a sentence that names the kind of file and what to do.
    for (const name of ['shared-string.xlsx', 'merged-cells.xlsx', 'repeated-runs.docx', 'spanned-table.docx', 'repeated-text.pptx', 'huge-array.json', 'expanding.pdf']) {
      expect(outcomes[name]!.status, name).toBe('error')
      expect(outcomes[name]!.status_details, name).toMatch(/expands to more than 12 million characters of text.*; (split|export)/)
    }
    expect(outcomes['shared-string.xlsx']!.status_details).toMatch(/^the spreadsheet .*export the sheets you need as CSV/i)
    // Within it once its header is not repeated, and its paths are cut: read whole.
    expect(outcomes['long-header.csv']!.status).toBe('processed')
    expect(outcomes['deep-key-path.json']!.status).toBe('processed')
    for (const d of done.filter((x) => x.status === 'error')) {
      const parts = await env.DB.prepare('SELECT count(*) AS n FROM file_parts WHERE file_id = ?1').bind(d.id).first<{ n: number }>()
      expect(parts!.n + (await chunkCount(d.id)), d.filename).toBe(0)
    }
    expect(await ftsCount(done[0]!.id, 'ariane')).toBe(1)
  }, 600_000)
})
