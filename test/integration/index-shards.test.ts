/**
 * The sharded index against real Durable Objects, D1 and the queue: a workspace moved onto IndexShard
 * objects before its files arrive, the same files in a workspace on D1's own tables, and questions to
 * both. Routing (a file's chunks in the one shard its id hashes to), the fan-out's merge, filters and
 * metadata changes across shards, deletion, the processed-only rule, and moving a workspace between
 * layouts — D1 to shards, shards to fewer shards, back to D1 — with writes during a move.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { ADMIN, call, callJson, createOrgWithWorkspace, unique, uploadForm, waitForIngestAll } from './api-client'
import type { AppEnv } from '../../src/config'
import { buildDeps } from '../../src/deps'
import { markProcessing, recordPlan } from '../../src/files/lifecycle'
import { storeUploads } from '../../src/files/upload'
import { parseFilter } from '../../src/filter'
import { chunkSegments } from '../../src/ingest/chunker'
import type { ChunkHit } from '../../src/search/chunk-hits'
import type { MoveIndexJob, QueueJob } from '../../src/ingest/jobs'
import { moveIndexStep } from '../../src/ingest/move-index-job'
import { claimMove, moveWorkspaceIndex, MoveError } from '../../src/search/shards/move-workspace'
import { workspaceInD1 } from './index-rows'
import { readPlacement, shardOf, type Layout } from '../../src/search/shards/placement'
import { shardStub } from '../../src/search/shards/sharded-index'
import { RARE_POSTINGS_BUDGET } from '../../src/search/term-rarity'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
/** The same files on D1's own tables, to compare with. */
let plain: string
const ids = new Map<string, string>()

const SHARDS = 4
const deps = () => buildDeps(env as unknown as AppEnv)
const moveDeps = () => ({ d1: env.DB, shards: env.INDEX_SHARD })

// Twelve files, so each of four shards holds some; "aurora" in three of them, "glacier" in eight.
const TEXTS: Array<[string, string, object]> = [
  ['aurora-glacier.txt', 'An aurora shimmered above the glacier all night.', { shelf: 'a' }],
  ['aurora-only.txt', 'The aurora was photographed from the research station.', { shelf: 'b' }],
  ['aurora-twice.txt', 'Aurora after aurora lit the glacier and the fjord.', { shelf: 'a' }],
  ...Array.from({ length: 6 }, (_, i): [string, string, object] => [`glacier-${i}.txt`, `Field notes on glacier number ${i} and its moraine.`, { shelf: i % 2 ? 'a' : 'b' }]),
  ['tundra.txt', 'Lichen covers the tundra in summer.', { shelf: 'b' }],
  ['fjord.txt', 'The fjord freezes late in the year.', { shelf: 'a' }],
  ['permafrost.txt', 'Permafrost thaw releases methane.', { shelf: 'b' }],
]

async function upload(token: string, workspace: string, files: Array<[string, string, object]>): Promise<string[]> {
  const uploaded: string[] = []
  for (const [name, text, metadata] of files) {
    const body = await callJson('POST', '/files', { token, form: uploadForm([[name, text]], { workspace, metadata: JSON.stringify(metadata) }) })
    uploaded.push(body.id)
  }
  const done = await waitForIngestAll(token, workspace, uploaded)
  for (const f of done) expect(f.status, `${f.filename}: ${f.status_details}`).toBe('processed')
  return uploaded
}

/** Chunks each shard of a layout holds of each file. */
async function chunksPerShard(workspaceId: string, layout: Layout, fileIds: string[]): Promise<number[][]> {
  const at = { orgId: w.admin.orgId, workspaceId }
  return Promise.all(Array.from({ length: layout.shards }, (_, n) => Promise.all(fileIds.map((id) => shardStub(env.INDEX_SHARD, at, layout, n).fileChunkCount(id)))))
}

async function d1Chunks(workspaceId: string): Promise<number> {
  return (await env.DB.prepare('SELECT count(*) AS n FROM chunks WHERE org_id = ?1 AND workspace_id = ?2').bind(w.admin.orgId, workspaceId).first<{ n: number }>())!.n
}

function ask(workspace: string, text: string, filter?: string) {
  const content: object[] = [{ type: 'text', text }]
  content.unshift({ type: 'filter', ...(filter ? { filter } : {}), top_k: 20 })
  return callJson('POST', '/v1/chat/completions', { token: w.reader.token, body: { model: 'l0-retrieval', workspace, messages: [{ role: 'user', content }] } })
}

const filenames = (choices: Array<{ metadata: { filename: string } }>) => choices.map((c) => c.metadata.filename)
const lexical = async (workspaceId: string, query: string, limit = 50, filter?: string) =>
  (await deps().index.lexical({ orgId: w.admin.orgId, workspaceId, query, limit, filter: filter ? parseFilter(filter) : null })).hits
const names = (hits: ChunkHit[]) => hits.map((h) => h.filename)

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  plain = unique('ws')
  await workspaceInD1(w.admin.token, w.admin.orgId, plain, 'Plain')
  await call('POST', `/workspaces/${plain}/user`, { token: w.admin.token, body: { user: w.reader.id, access: 'reader' } })
  // The empty workspace moves onto shards before any file arrives: every write after goes there.
  await moveWorkspaceIndex(moveDeps(), w.admin.orgId, w.ws, SHARDS)
  const sharded = await upload(w.writer.token, w.ws, TEXTS)
  TEXTS.forEach(([name], i) => ids.set(name, sharded[i]!))
  await upload(w.admin.token, plain, TEXTS)
}, 180_000)

describe('routing', () => {
  it("puts each file's chunks in the one shard its id hashes to, and none in D1's tables", async () => {
    const placement = await readPlacement(env.DB, w.admin.orgId, w.ws)
    expect(placement).toMatchObject({ shards: SHARDS, next: null })
    const fileIds = [...ids.values()]
    const counts = await chunksPerShard(w.ws, placement, fileIds)
    fileIds.forEach((id, i) => {
      const holder = shardOf(id, SHARDS)
      counts.forEach((perFile, n) => expect(perFile[i], `${id} in shard ${n}`).toBe(n === holder ? 1 : 0))
    })
    // More than one shard is in use, or the fan-out below would prove nothing.
    expect(new Set(fileIds.map((id) => shardOf(id, SHARDS))).size).toBeGreaterThan(1)
    expect(await d1Chunks(w.ws)).toBe(0)
    expect(await d1Chunks(plain)).toBe(TEXTS.length)
  })

  it("reports each file's chunk count from its parts, wherever its chunks are", async () => {
    const file = await callJson('GET', `/files/${ids.get('aurora-glacier.txt')}`, { token: w.reader.token })
    expect(file.status).toBe('processed')
    expect(file.status_details ?? null).toBeNull()
  })
})

describe('fan-out', () => {
  it("merges the shards' own best lists by score, best first", async () => {
    const placement = await readPlacement(env.DB, w.admin.orgId, w.ws)
    const request = { orgId: w.admin.orgId, workspaceId: w.ws, query: 'aurora glacier', limit: 5 }
    const merged = await lexical(w.ws, request.query, request.limit)
    const budget = Math.ceil(RARE_POSTINGS_BUDGET / SHARDS)
    const each = await Promise.all(Array.from({ length: SHARDS }, (_, n) => shardStub(env.INDEX_SHARD, request, placement, n).lexical(request, budget)))
    const expected = each
      .flatMap((answer) => answer.hits)
      .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1))
      .slice(0, 5)
    expect(merged.map((h) => [h.chunkId, h.score])).toEqual(expected.map((h) => [h.chunkId, h.score]))
    expect(each.filter((answer) => answer.hits.length > 0).length).toBeGreaterThan(1)
    // What each shard's statements read adds up to what the fan-out reports.
    const { rowsRead } = await deps().index.lexical(request)
    expect(rowsRead).toBe(each.reduce((sum, answer) => sum + answer.rowsRead, 0))
    expect(rowsRead).toBeGreaterThan(0)
  })

  it('finds what the single index finds, over HTTP too', async () => {
    const sharded = await lexical(w.ws, 'aurora glacier')
    const single = await lexical(plain, 'aurora glacier')
    expect(new Set(names(sharded))).toEqual(new Set(names(single)))
    expect(sharded.length).toBe(8 + 1)
    // Each shard scores with its own statistics: on twelve files dealt over four shards (far from the
    // fair samples a large workspace's shards are, docs/scale.md) the order may differ from one index's.
    const answered = await ask(w.ws, 'aurora glacier')
    expect(filenames(answered.choices)).toEqual(expect.arrayContaining(['aurora-glacier.txt', 'aurora-only.txt', 'aurora-twice.txt']))
  })

  it('reports the rows the lexical arm read in Server-Timing, from the shards and from D1', async () => {
    for (const workspace of [w.ws, plain]) {
      const res = await call('POST', '/v1/chat/completions', { token: w.reader.token, body: { model: 'l0-retrieval', workspace, messages: [{ role: 'user', content: 'aurora glacier' }] } })
      expect(res.status).toBe(200)
      const rows = /lexical-rows;desc="(\d+)"/.exec(res.headers.get('server-timing') ?? '')?.[1]
      expect(Number(rows), `${workspace}: ${res.headers.get('server-timing')}`).toBeGreaterThan(0)
    }
  })

  it('reads a page, a neighbourhood and the file list through the shards', async () => {
    const reader = deps().index
    const scope = { orgId: w.admin.orgId, workspaceId: w.ws }
    const [chunk] = await reader.readPage(scope, ids.get('fjord.txt')!, null)
    expect(chunk?.text).toContain('fjord freezes')
    const around = await reader.readAround(scope, chunk!.chunkId, 1)
    expect(around.map((h) => h.chunkId)).toEqual([chunk!.chunkId])
    const listed = await reader.listFiles(scope, 5)
    expect(listed.total).toBe(TEXTS.length)
    expect(listed.files.map((f) => f.filename)).toEqual(['permafrost.txt', 'fjord.txt', 'tundra.txt', 'glacier-5.txt', 'glacier-4.txt'])
    expect(listed.files[0]).not.toHaveProperty('createdAtMs')
  })
})

describe('filters across shards', () => {
  it('holds a metadata filter in every shard, as the single index does', async () => {
    const sharded = await ask(w.ws, 'glacier', 'metadata.shelf == "a"')
    const single = await ask(plain, 'glacier', 'metadata.shelf == "a"')
    expect(new Set(filenames(sharded.choices))).toEqual(new Set(filenames(single.choices)))
    expect(filenames(sharded.choices).length).toBeGreaterThan(1)
    for (const c of sharded.choices) expect(c.metadata.file_metadata ?? { shelf: 'a' }).toMatchObject({ shelf: 'a' })
  })

  it("sees a metadata change at once: the shard's copy of the file is refreshed", async () => {
    const id = ids.get('aurora-only.txt')!
    const before = await lexical(w.ws, 'aurora', 50, 'metadata.shelf == "a"')
    expect(names(before)).not.toContain('aurora-only.txt')
    await callJson('PATCH', `/files/${id}/metadata`, { token: w.writer.token, body: { shelf: 'a' } })
    const after = await lexical(w.ws, 'aurora', 50, 'metadata.shelf == "a"')
    expect(names(after)).toContain('aurora-only.txt')
    await callJson('PATCH', `/files/${id}/metadata`, { token: w.writer.token, body: { shelf: 'b' } })
  })
})

describe('what a shard shows', () => {
  it("shows a file's chunks only once D1 says it is processed", async () => {
    const d = deps()
    const [row] = await storeUploads(d, { orgId: w.admin.orgId, workspaceId: w.ws, userId: w.writer.id, purpose: 'user_data', metadata: {}, instructions: null }, [
      { name: 'half.txt', bytes: new TextEncoder().encode('Narwhal tusks spiral.') },
    ])
    await markProcessing(env.DB, row!.id)
    await recordPlan(env.DB, row!.id, { parts: 2, pages: null, pageBudget: null })
    const text = 'Narwhal tusks spiral to the left.'
    const chunks = chunkSegments([{ text, provenance: { modality: 'text' }, charStart: 0, charEnd: text.length }], { fileId: row!.id })
    await d.index.writePart(row!, 0, chunks)
    expect(await lexical(w.ws, 'narwhal')).toEqual([])
    await env.DB.prepare("UPDATE files SET status = 'processed' WHERE id = ?1").bind(row!.id).run()
    await d.index.publish([row!])
    expect(names(await lexical(w.ws, 'narwhal'))).toEqual(['half.txt'])
    await d.index.removeFiles([row!])
    expect(await lexical(w.ws, 'narwhal')).toEqual([])
  })

  it('writes a part too big for one call to its shard in pages, all of it, and a rewrite replaces it whole', async () => {
    const d = deps()
    // A file the pipeline has finished (its part 0 holds one chunk), given a big part 5 here.
    const [id] = await upload(w.writer.token, w.ws, [['big-sheet.txt', 'Kelp.', {}]])
    const row = { id: id!, orgId: w.admin.orgId, workspaceId: w.ws, filename: 'big-sheet.txt' }
    // 3,000 chunks of about 1,500 characters: over 4.5 MB of rows, more than one call carries.
    const chunks = Array.from({ length: 3_000 }, (_, i) => ({
      id: `${row!.id}:5:${i}`,
      fileId: row!.id,
      index: i,
      text: `Row ${i} of the big sheet: ${'kelp forest '.repeat(120)}`,
      provenance: { modality: 'table' as const, rows: [i + 2, i + 2] as [number, number] },
      charStart: i * 1500,
      charEnd: (i + 1) * 1500,
      tokenCount: 300,
    }))
    await d.index.writePart(row, 5, chunks)
    const placement = await readPlacement(env.DB, w.admin.orgId, w.ws)
    const holder = shardStub(env.INDEX_SHARD, { orgId: w.admin.orgId, workspaceId: w.ws }, placement, shardOf(row.id, SHARDS))
    expect(await holder.fileChunkCount(row.id)).toBe(1 + 3_000)
    await d.index.writePart(row, 5, chunks.slice(0, 10))
    expect(await holder.fileChunkCount(row.id)).toBe(1 + 10)
    await call('DELETE', `/files/${row.id}`, { token: w.writer.token })
    expect(await holder.fileChunkCount(row.id)).toBe(0)
  })

  it("deletes a file's chunks from its shard with the file", async () => {
    const [id] = await upload(w.writer.token, w.ws, [['walrus.txt', 'A walrus hauled out on the ice floe.', {}]])
    const placement = await readPlacement(env.DB, w.admin.orgId, w.ws)
    expect((await chunksPerShard(w.ws, placement, [id!]))[shardOf(id!, SHARDS)]).toEqual([1])
    expect(names(await lexical(w.ws, 'walrus'))).toEqual(['walrus.txt'])
    await call('DELETE', `/files/${id}`, { token: w.writer.token })
    expect(await lexical(w.ws, 'walrus')).toEqual([])
    expect((await chunksPerShard(w.ws, placement, [id!])).flat()).toEqual([0, 0, 0, 0])
  })
})

describe('moving a workspace', () => {
  it('moves D1 → 3 shards → 2 shards → D1, answering the same at every step and emptying what it leaves', async () => {
    const ws = unique('ws')
    await workspaceInD1(w.admin.token, w.admin.orgId, ws, 'Moving')
    const fileIds = await upload(w.admin.token, ws, TEXTS)
    const found = () => lexical(ws, 'aurora glacier tundra')
    // Shards score with their own statistics: the same files are found. Back in D1 the scores are the
    // same too; equal scores tie by row order, which a move changes, so each file is compared with its score.
    const answer = async () => new Set(names(await found()))
    const scored = async () => (await found()).map((h) => `${h.score.toFixed(9)} ${h.filename}`).sort()
    const expected = await answer()
    const expectedScores = await scored()
    expect(expected.size).toBe(10)

    const toThree = await moveWorkspaceIndex(moveDeps(), w.admin.orgId, ws, 3)
    expect(toThree).toMatchObject({ from: { shards: 0, generation: 0 }, to: { shards: 3, generation: 1 }, files: TEXTS.length, chunks: TEXTS.length, recopied: 0 })
    expect(await d1Chunks(ws)).toBe(0)
    expect(await answer()).toEqual(expected)
    const three = { shards: 3, generation: 1 }
    expect((await chunksPerShard(ws, three, fileIds)).map((perFile) => perFile.reduce((a, b) => a + b, 0)).reduce((a, b) => a + b, 0)).toBe(TEXTS.length)

    await moveWorkspaceIndex(moveDeps(), w.admin.orgId, ws, 2)
    expect(await answer()).toEqual(expected)
    // The old generation's shards are empty.
    expect((await chunksPerShard(ws, three, fileIds)).flat().every((n) => n === 0)).toBe(true)
    const two = { shards: 2, generation: 2 }
    const counts = await chunksPerShard(ws, two, fileIds)
    fileIds.forEach((id, i) => expect(counts[shardOf(id, 2)]![i]).toBe(1))

    await moveWorkspaceIndex(moveDeps(), w.admin.orgId, ws, 0)
    expect(await d1Chunks(ws)).toBe(TEXTS.length)
    expect(await scored()).toEqual(expectedScores)
    // A move to where it already is would copy D1 onto itself and then empty it: refused, nothing lost.
    await expect(moveWorkspaceIndex(moveDeps(), w.admin.orgId, ws, 0)).rejects.toMatchObject({ code: 'conflict' })
    expect(await d1Chunks(ws)).toBe(TEXTS.length)
    expect((await chunksPerShard(ws, two, fileIds)).flat().every((n) => n === 0)).toBe(true)
  })

  it('writes to both layouts while a move runs, and a second move at once is refused', async () => {
    const ws = unique('ws')
    await workspaceInD1(w.admin.token, w.admin.orgId, ws, 'Busy')
    await upload(w.admin.token, ws, TEXTS.slice(0, 3))
    // A move claimed (as its first step does) and not yet copied: uploads now reach both layouts.
    await env.DB.prepare('UPDATE workspaces SET index_next_shards = 2 WHERE org_id = ?1 AND id = ?2').bind(w.admin.orgId, ws).run()
    await expect(moveWorkspaceIndex(moveDeps(), w.admin.orgId, ws, 3)).rejects.toBeInstanceOf(MoveError)
    const [late] = await upload(w.admin.token, ws, [['orca.txt', 'An orca pod hunted near the shore.', {}]])
    expect(await d1Chunks(ws)).toBe(4)
    const next = { shards: 2, generation: 1 }
    expect((await chunksPerShard(ws, next, [late!]))[shardOf(late!, 2)]).toEqual([1])
    // Running the claimed move finishes it: every file is where the new layout says.
    const report = await moveWorkspaceIndex(moveDeps(), w.admin.orgId, ws, 2)
    expect(report).toMatchObject({ files: 4, chunks: 4 })
    expect(await d1Chunks(ws)).toBe(0)
    expect(names(await lexical(ws, 'orca'))).toEqual(['orca.txt'])
    expect(names(await lexical(ws, 'aurora'))).toHaveLength(3)
  })

  it('moves in steps, each queue message copying a while and handing on where it stands, until the old layout is empty', async () => {
    const ws = unique('ws')
    await workspaceInD1(w.admin.token, w.admin.orgId, ws, 'Stepped')
    const fileIds = await upload(w.admin.token, ws, TEXTS)
    await claimMove(env.DB, w.admin.orgId, ws, 2)
    const sent: MoveIndexJob[] = []
    const stepDeps = { d1: env.DB, shards: env.INDEX_SHARD, ingestQueue: { send: async (job: MoveIndexJob) => void sent.push(job) } as unknown as Queue<QueueJob> }
    // A step of no time: each message does one page of its phase and hands on.
    let job: MoveIndexJob | undefined = { kind: 'move-index', orgId: w.admin.orgId, workspaceId: ws, shards: 2 }
    const phases: string[] = []
    for (let steps = 0; job && steps < 20; steps++) {
      await moveIndexStep(stepDeps, job, 0)
      job = sent.shift()
      if (job) phases.push(job.progress!.phase)
      // Until the switch, questions read D1 and find every file.
      if (job && job.progress!.phase !== 'empty') expect(new Set(names(await lexical(ws, 'aurora')))).toEqual(new Set(['aurora-glacier.txt', 'aurora-only.txt', 'aurora-twice.txt']))
    }
    expect(job).toBeUndefined()
    expect(phases).toEqual(['vectors', 'check', 'check', 'empty'])
    expect(await readPlacement(env.DB, w.admin.orgId, ws)).toMatchObject({ shards: 2, generation: 1, next: null })
    expect(await d1Chunks(ws)).toBe(0)
    const counts = await chunksPerShard(ws, { shards: 2, generation: 1 }, fileIds)
    fileIds.forEach((id, i) => expect(counts[shardOf(id, 2)]![i]).toBe(1))
    expect(new Set(names(await lexical(ws, 'aurora')))).toEqual(new Set(['aurora-glacier.txt', 'aurora-only.txt', 'aurora-twice.txt']))
    // A message of the finished move delivered again does nothing.
    await moveIndexStep(stepDeps, { kind: 'move-index', orgId: w.admin.orgId, workspaceId: ws, shards: 2, progress: { from: { shards: 0, generation: 0 }, to: { shards: 2, generation: 1 }, phase: 'chunks', cursor: { shard: 0, rowid: 0 }, fileAfter: '', chunks: 0, vectors: 0, files: 0, recopied: 0 } }, 0)
    expect(sent).toEqual([])
    expect(await d1Chunks(ws)).toBe(0)
  })

  it('waits for D1 to be emptied of a workspace before moving it back there, and empties it again if that stopped', async () => {
    const ws = unique('ws')
    await workspaceInD1(w.admin.token, w.admin.orgId, ws, 'Back')
    await upload(w.admin.token, ws, TEXTS.slice(0, 3))
    const leftover = (await env.DB.prepare('SELECT * FROM chunks WHERE org_id = ?1 AND workspace_id = ?2 LIMIT 1').bind(w.admin.orgId, ws).first<Record<string, unknown>>())!
    await moveWorkspaceIndex(moveDeps(), w.admin.orgId, ws, 2)
    expect(await d1Chunks(ws)).toBe(0)
    // An emptying that stopped part-way (its messages ran out of retries) leaves a row behind in D1.
    const columns = Object.keys(leftover)
    await env.DB.prepare(`INSERT INTO chunks (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).bind(...columns.map((c) => leftover[c])).run()
    // A move back into D1 now would have its copy deleted under it by that emptying: refused.
    await expect(moveWorkspaceIndex(moveDeps(), w.admin.orgId, ws, 0)).rejects.toMatchObject({ code: 'conflict' })
    const path = `/workspaces/${ws}/index?org=${w.org}`
    const refused = await callJson('PUT', path, { token: ADMIN, body: { shards: 0 } }, 409)
    expect(refused.error.message).toMatch(/still being emptied/)
    // The refusal queued the emptying again; once it is done, the move back is accepted and completes.
    for (let i = 0; i < 100 && (await d1Chunks(ws)) > 0; i++) await new Promise((r) => setTimeout(r, 100))
    expect(await d1Chunks(ws)).toBe(0)
    await callJson('PUT', path, { token: ADMIN, body: { shards: 0 } }, 202)
    let placement = await callJson('GET', path, { token: ADMIN })
    for (let i = 0; i < 100 && placement.moving_to !== null; i++) {
      await new Promise((r) => setTimeout(r, 100))
      placement = await callJson('GET', path, { token: ADMIN })
    }
    expect(placement).toMatchObject({ shards: 0, moving_to: null })
    expect(await d1Chunks(ws)).toBe(3)
    expect(names(await lexical(ws, 'aurora'))).toHaveLength(3)
  })

  it('moves over HTTP: the admin asks, the queue copies, GET shows the switch, the audit log records it', async () => {
    const ws = unique('ws')
    await workspaceInD1(w.admin.token, w.admin.orgId, ws, 'Asked')
    await upload(w.admin.token, ws, TEXTS.slice(0, 4))
    const path = `/workspaces/${ws}/index?org=${w.org}`
    expect(await callJson('GET', path, { token: w.admin.token })).toEqual({ object: 'workspace.index', workspace: ws, org_id: w.admin.orgId, shards: 0, generation: 0, moving_to: null })
    const asked = await callJson('PUT', path, { token: ADMIN, body: { shards: 3 } }, 202)
    expect(asked).toMatchObject({ shards: 0, moving_to: 3 })
    // Another shard count while this move runs is refused; the same one again is accepted (it resumes).
    await callJson('PUT', path, { token: ADMIN, body: { shards: 2 } }, 409)
    let placement = asked
    for (let i = 0; i < 100 && placement.moving_to !== null; i++) {
      await new Promise((r) => setTimeout(r, 100))
      placement = await callJson('GET', path, { token: ADMIN })
    }
    expect(placement).toMatchObject({ shards: 3, generation: 1, moving_to: null })
    expect(await d1Chunks(ws)).toBe(0)
    expect(names(await lexical(ws, 'aurora'))).toHaveLength(3)
    // Asking for where it already is moves nothing.
    expect(await callJson('PUT', path, { token: ADMIN, body: { shards: 3 } }, 200)).toMatchObject({ shards: 3, generation: 1, moving_to: null })
    await callJson('PUT', path, { token: ADMIN, body: { shards: 65 } }, 422)
    const audit = await callJson('GET', `/audit?org=${w.org}&action=workspace.index_moved&workspace=${ws}`, { token: ADMIN })
    expect(audit.data.map((e: { details: object }) => e.details)).toEqual([{ from: 0, to: 3 }])
  })
})

