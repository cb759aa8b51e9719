/**
 * Inputs at the edges of what the API takes: like patterns longer than D1's LIKE accepts, JSON nested
 * deeper or larger than the limits, and empty filters. Each gets the right answer or a 422 naming the
 * field, never a 500.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, unique, uploadForm, waitForIngestAll } from './api-client'
import { JSON_LIMITS } from '../../src/json-limits'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
let titled: string
let other: string

const TITLE = 'Wissenschaft der Logik — Erster Band: Die objektive Logik (1812), 100% complete_edition'
const OTHER_TITLE = 'Wissenschaft der Logik — Zweiter Band: Die subjektive Logik (1816), 100% complete_edition'

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  const upload = async (name: string, text: string, title: string) =>
    (await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([[name, text]], { workspace: w.ws, metadata: JSON.stringify({ title }) }) })).id as string
  titled = await upload('objective.txt', 'Being, pure being, without any further determination: the zebrafish beginning.', TITLE)
  other = await upload('subjective.txt', 'The concept is the zebrafish truth of substance.', OTHER_TITLE)
  await waitForIngestAll(w.writer.token, w.ws, [titled, other])
}, 120_000)

async function expectError(res: Response, status: number, param: string | null, message?: RegExp) {
  const text = await res.text()
  expect(res.status, text).toBe(status)
  const body = JSON.parse(text)
  expect(body.error).toMatchObject({ param, type: 'invalid_request_error', message: expect.any(String) })
  if (message) expect(body.error.message).toMatch(message)
}

const listed = async (filter: string) =>
  (await callJson('GET', `/files?workspace=${w.ws}&metadata=${encodeURIComponent(filter)}`, { token: w.reader.token })).data.map((f: { id: string }) => f.id)

const ask = (filterPart: object, text = 'zebrafish') =>
  call('POST', '/chat/completions', { token: w.reader.token, body: { model: 'l0-retrieval', workspace: w.ws, messages: [{ role: 'user', content: [filterPart, { type: 'text', text }] }] } })

const retrieved = async (filter: string) => {
  const res = await ask({ type: 'filter', filter })
  const text = await res.text()
  expect(res.status, text).toBe(200)
  return [...new Set(JSON.parse(text).choices.map((c: { metadata: { file_id: string } }) => c.metadata.file_id))]
}

describe('like patterns longer than 50 bytes', () => {
  // Escaped wildcards, `_`, ASCII case and non-ASCII, in patterns of 60 to 90 bytes.
  const longPrefix = 'wissenschaft der logik — erster band: die objektive%'
  const withWildcards = '%Logik — Erster Band: Die objektive Logik (1812), 100\\\\% complete\\\\_edition'
  const middle = 'Wissenschaft%Band: Die %jektive Logik (181_), 100\\\\% COMPLETE%edition'

  it('select the right files in GET /files?metadata=', async () => {
    expect(await listed(`title like "${longPrefix}"`)).toEqual([titled])
    expect(await listed(`title like "${withWildcards}"`)).toEqual([titled])
    expect((await listed(`title like "${middle}"`)).sort()).toEqual([titled, other].sort())
    expect(await listed(`title not like "${longPrefix}"`)).toEqual([other])
    expect(await listed(`title like "${'x'.repeat(60)}%"`)).toEqual([])
  })

  it('select the right chunks in the l0-retrieval filter part', async () => {
    expect(await retrieved(`metadata.title like "${longPrefix}"`)).toEqual([titled])
    expect(await retrieved(`metadata.title like "${withWildcards}" or modality like "${'_'.repeat(51)}"`)).toEqual([titled])
    expect(await retrieved(`metadata.title not like "${longPrefix}"`)).toEqual([other])
  })
})

/** JSON text nested `depth` levels: objects in an object, as `{"a":{"a":…{}}}`. */
const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`

describe('JSON depth and size', () => {
  it('metadata deeper than the limit is 422 naming metadata, at upload and in PATCH', async () => {
    for (const depth of [JSON_LIMITS.metadataDepth + 1, 1_000, 100_000]) {
      const form = uploadForm([[`${unique('deep')}.txt`, 'text']], { workspace: w.ws, metadata: nested(depth) })
      await expectError(await call('POST', '/files', { token: w.writer.token, form }), 422, 'metadata', /nested|characters/)
      const patch = await call('PATCH', `/files/${titled}/metadata`, { token: w.writer.token, rawBody: nested(depth), headers: { 'content-type': 'application/json' } })
      await expectError(patch, 422, depth > JSON_LIMITS.bodyDepth ? null : 'metadata', /nested|characters/)
    }
    const atLimit = JSON.parse(nested(JSON_LIMITS.metadataDepth)).a
    const ok = await callJson('PATCH', `/files/${titled}/metadata`, { token: w.writer.token, body: { deep: atLimit } })
    expect(ok.metadata.deep).toEqual(atLimit)
    await callJson('PATCH', `/files/${titled}/metadata`, { token: w.writer.token, body: { deep: null } })
  })

  it('metadata larger than the limit is 422 naming metadata', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(JSON_LIMITS.metadataBytes) })
    await expectError(await call('POST', '/files', { token: w.writer.token, form: uploadForm([['big.txt', 'text']], { workspace: w.ws, metadata: big }) }), 422, 'metadata')
    await expectError(await call('PATCH', `/files/${titled}/metadata`, { token: w.writer.token, body: JSON.parse(big) }), 422, 'metadata')
  })

  it('a chat body deeper than the limit is 422, wherever the depth is', async () => {
    const deepBodies = [
      `{"model":"l0-retrieval","messages":[{"role":"user","content":"x"}],"extra":${nested(100_000)}}`,
      `{"model":"l0-retrieval","messages":[{"role":"user","content":"x","tool_calls":${nested(1_000)}}]}`,
      `{"model":"l0","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":${nested(JSON_LIMITS.bodyDepth + 1)}}}`,
      `${'['.repeat(200_000)}${']'.repeat(200_000)}`,
    ]
    for (const body of deepBodies) {
      await expectError(await call('POST', '/chat/completions', { token: w.reader.token, rawBody: body, headers: { 'content-type': 'application/json' } }), 422, null, /nested/)
    }
  })
})

describe('empty filters', () => {
  it('an empty or blank filter part is 422 naming it; null or absent is no filter', async () => {
    for (const filter of ['', '   ', '\n\t']) {
      await expectError(await ask({ type: 'filter', filter }), 422, 'messages[0].content[0].filter', /empty/)
    }
    expect((await retrieved(`metadata.title like "%"`)).sort()).toEqual([titled, other].sort())
    for (const part of [{ type: 'filter', filter: null }, { type: 'filter', top_k: 2 }]) {
      const res = await ask(part)
      expect(res.status, await res.clone().text()).toBe(200)
    }
  })

  it('an empty or blank metadata filter in GET /files is 422 naming metadata', async () => {
    for (const value of ['', '%20%20', '%0A']) {
      await expectError(await call('GET', `/files?workspace=${w.ws}&metadata=${value}`, { token: w.reader.token }), 422, 'metadata', /empty/)
    }
  })
})
