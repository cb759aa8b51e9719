/**
 * `l0-retrieval` end to end: real fixtures uploaded through the API and indexed by the real queue
 * consumer, then questions whose answers sit on a known page, slide, sheet or row; filters; tenancy;
 * top_k; and the search's own entry point with a stand-in semantic arm.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, createPerson, unique, uploadForm, waitForIngestAll } from './api-client'
import { fixtureBytes } from './fixtures'
import { indexRows } from './index-rows'
import type { AppEnv } from '../../src/config'
import { buildDeps } from '../../src/deps'
import { moveWorkspaceIndex } from '../../src/search/shards/move-workspace'
import { readPlacement } from '../../src/search/shards/placement'
import { BM25_WEIGHTS } from '../../src/search/lexical'
import { retrieve } from '../../src/search/retrieve'

const deps = () => buildDeps(env as unknown as AppEnv)

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
type Element = { index: number; message: { role: string; content: string }; metadata: Record<string, any>; finish_reason: string }

let w: World
const ids: Record<string, string> = {}

async function upload(token: string, workspace: string, files: Array<[string, Uint8Array | string]>, metadata?: object): Promise<string[]> {
  const fields: Record<string, string> = { workspace }
  if (metadata) fields.metadata = JSON.stringify(metadata)
  const body = await callJson('POST', '/files', { token, form: uploadForm(files, fields) })
  return (Array.isArray(body) ? body : [body]).map((f: { id: string }) => f.id)
}

const HEGEL = 'Logic is the science of the pure Idea, the Idea in the abstract element of thinking. Zebrafish dialectics.'
const KANT = 'Logic is the science of the necessary laws of the understanding and of reason. Zebrafish critique.'
const PLAIN = 'Logic puzzles for children, with zebrafish drawings and no author named.'

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  const t = w.writer.token
  const [pdf, pptx, show, xlsx, sheets, csv] = await Promise.all(
    ['pdf/multi_page.pdf', 'pptx/powerpoint_sample.pptx', 'pptx/poi_SampleShow.pptx', 'xlsx/xlsx_01.xlsx', 'xlsx/poi_SampleSS.xlsx', 'csv/csv-comma.csv'].map((p) => fixtureBytes(`samples/${p}`)),
  )
  const uploaded = [
    ...(await upload(t, w.ws, [['multi_page.pdf', pdf!], ['powerpoint_sample.pptx', pptx!], ['poi_SampleShow.pptx', show!]], { kind: 'slides-and-pages', year: 2024 })),
    ...(await upload(t, w.ws, [['xlsx_01.xlsx', xlsx!], ['poi_SampleSS.xlsx', sheets!], ['customers.csv', csv!]], { kind: 'tables' })),
    ...(await upload(t, w.ws, [['hegel.txt', HEGEL]], { author: 'hegel' })),
    ...(await upload(t, w.ws, [['kant.txt', KANT]], { author: 'kant' })),
    ...(await upload(t, w.ws, [['plain.txt', PLAIN]])),
  ]
  const names = ['pdf', 'pptx', 'show', 'xlsx', 'sheets', 'csv', 'hegel', 'kant', 'plain']
  names.forEach((n, i) => (ids[n] = uploaded[i]!))
  const files = await waitForIngestAll(t, w.ws, uploaded)
  for (const f of files) expect(f.status, `${f.filename}: ${f.status_details}`).toBe('processed')
}, 120_000)

function ask(text: string, options: { filter?: string; top_k?: number; token?: string; workspace?: string | null; model?: string } = {}) {
  const content: object[] = [{ type: 'text', text }]
  if (options.filter !== undefined || options.top_k !== undefined) content.unshift({ type: 'filter', filter: options.filter, top_k: options.top_k })
  const body: Record<string, unknown> = { model: options.model ?? 'l0-retrieval', messages: [{ role: 'user', content }] }
  if (options.workspace !== null) body.workspace = options.workspace ?? w.ws
  return call('POST', '/v1/chat/completions', { token: options.token ?? w.reader.token, body })
}

async function search(text: string, options: Parameters<typeof ask>[1] = {}): Promise<Element[]> {
  const res = await ask(text, options)
  const body = await res.text()
  expect(res.status, body).toBe(200)
  return JSON.parse(body).choices
}

describe('answers sit where the question points', () => {
  it('a PDF page', async () => {
    const [top] = await search('Who patented the typewriter in 1868?')
    expect(top!.metadata).toMatchObject({ file_id: ids.pdf, filename: 'multi_page.pdf', page: 1, modality: 'text' })
    expect(top!.message.content).toContain('Christopher Latham Sholes')
  })

  it('another page of the same PDF', async () => {
    const top3 = await search('LaTeX for academics, scientists and engineers', { top_k: 3 })
    expect(top3[0]!.metadata).toMatchObject({ file_id: ids.pdf, page: 3 })
  })

  it('a slide, by its speaker notes', async () => {
    const [top] = await search('final notes on the third slide')
    expect(top!.metadata).toMatchObject({ file_id: ids.pptx, page: 3 })
    const [italic] = await search('which text is in italic green?')
    expect(italic!.metadata).toMatchObject({ file_id: ids.show, page: 1, heading: 'Title of the first slide' })
  })

  it('a sheet and its rows', async () => {
    const [top] = await search('bold blue on a yellow background')
    expect(top!.metadata).toMatchObject({ file_id: ids.sheets, sheet: 'Sheet Number 2', rows: [4, 4], page: null })
    const top3 = await search('col-1 col-2 col-3 col-4', { top_k: 3 })
    expect(top3.map((e) => [e.metadata.file_id, e.metadata.sheet, e.metadata.rows])).toContainEqual([ids.xlsx, 'Sheet2', [2, 9]])
  })

  it('a CSV row range, with the file metadata', async () => {
    const [top] = await search('Sheryl Baxter of Rasmussen Group')
    expect(top!.metadata).toMatchObject({ file_id: ids.csv, rows: [2, 6], modality: 'table', page: null, file_metadata: { kind: 'tables' } })
    expect(top!.message.content).toContain('Sheryl')
  })

  it('elements have the documented shape, best first', async () => {
    const res = await ask('word processor typewriter')
    expect(res.headers.get('server-timing')).toMatch(/lexical;dur=/)
    expect(res.headers.get('server-timing')).toMatch(/fuse;dur=/)
    expect(res.headers.get('server-timing')).toMatch(/total;dur=/)
    const body = await res.json<any>()
    expect(body).toMatchObject({ object: 'chat.completion', model: 'l0-retrieval', usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } })
    expect(body.id).toMatch(/^chatcmpl-/)
    expect(Number.isInteger(body.created)).toBe(true)
    body.choices.forEach((e: Element, i: number) => {
      expect(e.index).toBe(i)
      expect(e.finish_reason).toBe('stop')
      expect(e.message.role).toBe('assistant')
      expect(Object.keys(e.metadata)).toEqual(expect.arrayContaining(['file_id', 'filename', 'chunk_id', 'score', 'modality', 'page', 'file_metadata']))
      if (i > 0) expect(e.metadata.score).toBeLessThanOrEqual(body.choices[i - 1].metadata.score)
    })
  })
})

describe('filters', () => {
  it("metadata.author == 'hegel' finds only Hegel", async () => {
    const hits = await search('What is logic?', { filter: "metadata.author == 'hegel'" })
    expect(hits.map((h) => h.metadata.file_id)).toEqual([ids.hegel])
    expect(hits[0]!.metadata.file_metadata).toEqual({ author: 'hegel' })
  })

  it("metadata.author != 'hegel' finds the other author, and not files without one", async () => {
    const hits = await search('What is logic?', { filter: "metadata.author != 'hegel'" })
    expect(hits.map((h) => h.metadata.file_id)).toEqual([ids.kant])
    const all = await search('What is logic?')
    expect(all.map((h) => h.metadata.file_id)).toEqual(expect.arrayContaining([ids.hegel, ids.kant, ids.plain]))
  })

  it('chunk attributes and file attributes', async () => {
    const page2 = await search('word processing', { filter: 'page = 2', top_k: 20 })
    expect(page2.length).toBeGreaterThan(0)
    for (const h of page2) expect(h.metadata.page).toBe(2)
    const tables = await search('first second third', { filter: 'modality = "table" and filename like "%.xlsx"', top_k: 20 })
    expect(tables.length).toBeGreaterThan(0)
    for (const h of tables) expect([h.metadata.modality, h.metadata.filename.endsWith('.xlsx')]).toEqual(['table', true])
    expect(await search('typewriter', { filter: 'metadata.year = 2025' })).toEqual([])
  })
})

describe('top_k', () => {
  it('defaults to 5 and is honoured from 1 to 100', async () => {
    expect((await search('logic word table slide notes'))).toHaveLength(5)
    expect(await search('logic word table slide notes', { top_k: 1 })).toHaveLength(1)
    const many = await search('the word processor logic table slide notes sheet', { top_k: 100 })
    expect(many.length).toBeGreaterThan(5)
    expect(many.length).toBeLessThanOrEqual(100)
  })

  it.each([0, 101, 2.5])('refuses %s', async (topK) => {
    const res = await ask('logic', { top_k: topK })
    expect(res.status).toBe(422)
    expect((await res.json<any>()).error.param).toBe('messages[0].content[0].top_k')
  })
})

describe('tenancy', () => {
  it('never shows another workspace’s or another org’s files', async () => {
    const secret = 'Quetzalcoatlus wingspan measurements'
    const stranger = await createPerson(unique('org'))
    const otherWs = unique('ws')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id: otherWs } })
    const placed = [
      ...(await upload(stranger.token, 'default', [['theirs.txt', secret]])),
      ...(await upload(w.admin.token, otherWs, [['other-ws.txt', secret]])),
      ...(await upload(w.admin.token, 'default', [['our-default.txt', secret]])),
    ]
    await waitForIngestAll(stranger.token, 'default', placed.slice(0, 1))
    await waitForIngestAll(w.admin.token, otherWs, placed.slice(1, 2))
    await waitForIngestAll(w.admin.token, 'default', placed.slice(2))
    expect(await search(secret)).toEqual([])
    // With top_k 1 the fast path's global ranking already has enough rows: its scope must hold too.
    expect(await search(secret, { top_k: 1 })).toEqual([])
    expect((await search(secret, { token: w.admin.token, workspace: otherWs, top_k: 1 })).map((h) => h.metadata.file_id)).toEqual([placed[1]])
    expect((await search(secret, { token: stranger.token, workspace: null })).map((h) => h.metadata.file_id)).toEqual([placed[0]])
    expect((await search(secret, { token: w.admin.token, workspace: otherWs })).map((h) => h.metadata.file_id)).toEqual([placed[1]])
    expect((await search(secret, { token: w.admin.token, workspace: null })).map((h) => h.metadata.file_id)).toEqual([placed[2]])
  })

  it('searches only processed files, and forgets deleted ones', async () => {
    const [id] = await upload(w.writer.token, w.ws, [['brontosaurus.txt', 'Brontosaurus excelsus neck posture']])
    await waitForIngestAll(w.writer.token, w.ws, [id!])
    expect((await search('brontosaurus neck')).map((h) => h.metadata.file_id)).toEqual([id])
    // Status changes reach the index as the pipeline's do: D1 first, then published.
    const setStatus = async (status: string) => {
      await env.DB.prepare('UPDATE files SET status = ?2 WHERE id = ?1').bind(id, status).run()
      await deps().index.publish([{ id: id!, orgId: w.writer.orgId, workspaceId: w.ws }])
    }
    await setStatus('processing')
    expect(await search('brontosaurus neck')).toEqual([])
    await setStatus('processed')
    await callJson('DELETE', `/files/${id}`, { token: w.writer.token })
    expect(await search('brontosaurus neck')).toEqual([])
  })
})

describe('requests', () => {
  const expect422 = async (body: unknown, param: string | null, status = 422) => {
    const res = await call('POST', '/chat/completions', { token: w.reader.token, body })
    const text = await res.text()
    expect(res.status, text).toBe(status)
    expect(JSON.parse(text).error.param).toBe(param)
    return JSON.parse(text).error
  }
  const user = (content: unknown) => [{ role: 'user', content }]

  it('names the field at fault', async () => {
    await expect422({ messages: user('x') }, 'model')
    await expect422({ model: 'l0-retrieval', messages: [] }, 'messages')
    await expect422({ model: 'l0-retrieval' }, 'messages')
    await expect422({ model: 'l0-retrieval', messages: user('   ') }, 'messages[0].content')
    await expect422({ model: 'l0-retrieval', messages: user([{ type: 'filter', top_k: 3 }]) }, 'messages[0].content')
    await expect422({ model: 'l0-retrieval', messages: user([{ type: 'audio', data: 'x' }]) }, 'messages[0].content[0].type')
    await expect422({ model: 'l0-retrieval', messages: [{ role: 'wizard', content: 'x' }] }, 'messages[0].role')
    await expect422({ model: 'l0-retrieval', messages: user('x'), workspace: 'Not A Workspace' }, 'workspace')
    await expect422({ model: 'l0-retrieval', messages: [{ role: 'system', content: 'x' }] }, 'messages')
  })

  it('a bad filter is 422 on its field, with the column', async () => {
    const error = await expect422({ model: 'l0-retrieval', messages: user([{ type: 'text', text: 'logic' }, { type: 'filter', filter: 'metadata.author == ' }]) }, 'messages[0].content[1].filter')
    expect(error.message).toContain('column 20')
  })

  it('an unknown model is 404, naming the models there are', async () => {
    const unknown = await expect422({ model: 'gpt-4o', messages: user('x') }, 'model', 404)
    expect(unknown.code).toBe('model_not_found')
    expect(unknown.message).toMatch(/l0, activeloop-l0, l0-retrieval/)
  })

  it('accepts the alias and OpenAI fields it does not use', async () => {
    const res = await call('POST', '/chat/completions', {
      token: w.reader.token,
      body: { model: 'activeloop-l0-retrieval', workspace: w.ws, messages: user('typewriter'), temperature: 0.2, n: 1, tools: [], frequency_penalty: 0, store: false, metadata: { a: 'b' } },
    })
    expect(res.status, await res.clone().text()).toBe(200)
    expect((await res.json<any>()).model).toBe('activeloop-l0-retrieval')
  })

  it('stream: true sends the elements as one chunk, then [DONE]', async () => {
    const res = await call('POST', '/chat/completions', {
      token: w.reader.token,
      body: { model: 'l0-retrieval', workspace: w.ws, stream: true, stream_options: { include_usage: true }, messages: user('typewriter') },
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = (await res.text()).split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''))
    expect(events.at(-1)).toBe('[DONE]')
    const first = JSON.parse(events[0]!)
    expect(first.object).toBe('chat.completion.chunk')
    expect(first.choices[0]).toMatchObject({ index: 0, delta: { role: 'assistant' }, finish_reason: 'stop', metadata: { file_id: ids.pdf } })
    expect(JSON.parse(events[1]!).usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })
  })
})

describe('ranking within a workspace that shares the index', () => {
  it('matches the scoped ranking whether the other workspace outranks it or not', async () => {
    const [ours, theirs] = [unique('ws'), unique('ws')]
    for (const id of [ours, theirs]) {
      await callJson('POST', '/workspaces', { token: w.admin.token, body: { id } })
      // Both in D1's one index, whatever INDEX_SHARDS says: what this checks is sharing it.
      if ((await readPlacement(env.DB, w.admin.orgId, id)).shards !== 0) await moveWorkspaceIndex({ d1: env.DB, shards: env.INDEX_SHARD }, w.admin.orgId, id, 0)
    }
    const filler = 'The survey also counted giraffes, zebras and antelopes across the reserve in the dry season.'
    // Theirs: short texts dense in the word, so they outrank every one of ours.
    const placed = [
      ...(await upload(w.admin.token, theirs, Array.from({ length: 12 }, (_, i): [string, string] => [`dense-${i}.txt`, `Okapi okapi okapi ${i}.`]))),
      ...(await upload(w.admin.token, ours, Array.from({ length: 6 }, (_, i): [string, string] => [`sparse-${i}.txt`, `${filler.repeat(i + 1)} One okapi was seen.`]))),
    ]
    await waitForIngestAll(w.admin.token, theirs, placed.slice(0, 12))
    await waitForIngestAll(w.admin.token, ours, placed.slice(12))
    const { results } = await env.DB.prepare(
      `SELECT c.id FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH '"okapi"' AND c.org_id = ? AND c.workspace_id = ?
       ORDER BY bm25(chunks_fts, ${BM25_WEIGHTS.text}, ${BM25_WEIGHTS.heading}, ${BM25_WEIGHTS.filename}), c.rowid`,
    )
      .bind(w.admin.orgId, ours)
      .all<{ id: string }>()
    expect(results).toHaveLength(6)
    // top_k 3: their 12 fill the first 12 of the whole index; top_k 5: all 18 matches are seen at once.
    for (const topK of [3, 5, 6]) {
      const hits = await search('okapi', { token: w.admin.token, workspace: ours, top_k: topK })
      expect(hits.map((h) => h.metadata.chunk_id)).toEqual(results.slice(0, topK).map((r) => r.id))
    }
  })
})

describe('retrieve with another arm', () => {
  it('fuses a semantic arm’s list with the lexical one, within the scope', async () => {
    const firstChunk = async (fileId: string) => (await indexRows<{ id: string }>(fileId, 'SELECT id FROM chunks WHERE file_id = ? ORDER BY id LIMIT 1'))[0]!.id
    const [kantChunk, plainChunk] = [await firstChunk(ids.kant!), await firstChunk(ids.plain!)]
    // A chunk of a file in another workspace: outside the scope, however close the arm says it is.
    const other = await env.DB.prepare("SELECT id FROM files WHERE workspace_id != ? AND status = 'processed' AND chunk_count > 0 LIMIT 1").bind(w.ws).first<{ id: string }>()
    const foreign = { id: await firstChunk(other!.id) }
    const phases: string[] = []
    const top = await retrieve(
      deps(),
      { orgId: w.admin.orgId, workspaceId: w.ws, query: 'zebrafish logic', topK: 3 },
      {
        arms: [{ phase: 'vector', search: async () => [{ chunkId: foreign!.id, score: 0.99 }, { chunkId: plainChunk, score: 0.9 }, { chunkId: kantChunk, score: 0.8 }] }],
        time: async (phase, run) => (phases.push(phase), run()),
      },
    )
    expect(phases).toEqual(['lexical', 'vector', 'fuse'])
    expect(top.map((h) => h.chunkId)).not.toContain(foreign!.id)
    expect(top).toHaveLength(3)
    // Kant and the plain file are in both lists; Hegel only in the lexical one.
    expect(top.slice(0, 2).map((h) => h.fileId).sort()).toEqual([ids.kant, ids.plain].sort())
    expect(top[0]!.ranks).toHaveProperty('vector')
    expect(top[2]!.fileId).toBe(ids.hegel)
  })

  it('leaves out an arm that fails, answers from the lexical one, and says which arm failed', async () => {
    const request = { orgId: w.admin.orgId, workspaceId: w.ws, query: 'zebrafish logic', topK: 3 }
    const lexicalOnly = await retrieve(deps(), request)
    const failures: Array<[string, unknown]> = []
    const top = await retrieve(deps(), request, {
      arms: [{ phase: 'vector', search: async () => Promise.reject(new Error('Network connection lost.')) }],
      onArmError: (phase, error) => failures.push([phase, error]),
    })
    expect(top.map((h) => h.chunkId)).toEqual(lexicalOnly.map((h) => h.chunkId))
    expect(top.every((h) => Object.keys(h.ranks).join() === 'lexical')).toBe(true)
    expect(failures).toHaveLength(1)
    expect(failures[0]![0]).toBe('vector')
    expect((failures[0]![1] as Error).message).toBe('Network connection lost.')
  })
})
