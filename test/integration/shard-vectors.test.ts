/**
 * Vectors in the index shards, where no Vectorize index is bound, against real Durable Objects and D1:
 * files embedded at ingestion (by the scripted model server's bag-of-words model) into a workspace on
 * four shards and, to compare with, the same files into a workspace whose index is in D1. Each vector
 * lives in the shard of its chunk's file and nowhere else; a question's matches merged across the
 * shards equal one scan of the whole workspace, filters included; a deleted file's vectors go with
 * it; and moving a workspace (D1 → shards, shards → fewer shards → D1) carries its vectors along.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import type { AppEnv } from '../../src/config'
import { buildDeps, type Deps } from '../../src/deps'
import { storeUploads } from '../../src/files/upload'
import type { IngestJob } from '../../src/ingest/jobs'
import { ingest } from '../../src/ingest/pipeline'
import { claimMove, moveWorkspaceIndex } from '../../src/search/shards/move-workspace'
import { readPlacement, shardOf, type Layout } from '../../src/search/shards/placement'
import { shardStub } from '../../src/search/shards/sharded-index'
import { semanticSearch } from '../../src/search/vector-search'
import { vectorNamespace, type VectorMatch, type VectorSpace } from '../../src/search/vector-store'
import { call, createOrgWithWorkspace, unique } from './api-client'
import { fixtureBytes } from './fixtures'
import { workspaceInD1 } from './index-rows'
import { server } from './model-server-client'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
let deps: Deps
const jobs: IngestJob[] = []
/** Each workspace's file ids by name. */
const files = new Map<string, Map<string, string>>()

const SHARDS = 4
const moveDeps = () => ({ d1: env.DB, shards: env.INDEX_SHARD })

const TEXTS: Array<[string, string]> = [
  ['aurora.txt', 'An aurora shimmered above the glacier all night long.'],
  ['glacier.txt', 'The glacier retreated two kilometres in a decade of warm summers.'],
  ['fjord.txt', 'The fjord freezes late in the year, after the first storms.'],
  ['tundra.txt', 'Lichen and moss cover the tundra in the short summer.'],
  ['permafrost.txt', 'Permafrost thaw releases methane into the air.'],
  ['moraine.txt', 'A moraine of boulders marks where the glacier once ended.'],
  ['iceberg.txt', 'An iceberg calved from the glacier front into the fjord.'],
  ['station.txt', 'The research station logs the aurora and the weather hourly.'],
]

/** Deps as the composition root builds them with an embedding model, and a queue the test drains. */
function embeddingDeps(): Deps {
  const queue = {
    send: async (body: IngestJob) => void jobs.push(body),
    sendBatch: async (messages: Iterable<{ body: IngestJob }>) => void jobs.push(...[...messages].map((m) => m.body)),
  }
  const appEnv = { ...env, MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: unique('embed-shards'), INGEST_QUEUE: queue } as unknown as AppEnv
  return buildDeps(appEnv)
}

async function ingestAll(workspaceId: string): Promise<void> {
  const ids = new Map<string, string>()
  // A PDF too: its pages' own vectors (`~p`) live with its chunks'.
  const uploads = [...TEXTS.map(([name, text]) => ({ name, bytes: new TextEncoder().encode(text) })), { name: 'normal_4pages.pdf', bytes: await fixtureBytes('samples/pdf/normal_4pages.pdf') }]
  for (const upload of uploads) {
    const [row] = await storeUploads(deps, { orgId: w.writer.orgId, workspaceId, userId: w.writer.id, purpose: 'user_data', metadata: {}, instructions: null }, [upload])
    ids.set(upload.name, row!.id)
  }
  while (jobs.length > 0) await ingest(deps, jobs.shift()!)
  files.set(workspaceId, ids)
}

const space = (workspaceId: string): VectorSpace => ({ orgId: w.admin.orgId, workspaceId })

/** Vectors each shard of a layout holds of each file. */
async function vectorsPerShard(workspaceId: string, layout: Layout): Promise<Array<Map<string, number>>> {
  const ids = [...files.get(workspaceId)!.values()]
  return Promise.all(
    Array.from({ length: layout.shards }, async (_, n) => new Map((await shardStub(env.INDEX_SHARD, space(workspaceId), layout, n).vectorCounts(ids)).map((c) => [c.fileId, c.n]))),
  )
}

/** Vectors per file name as D1 holds them for the plain workspace: what each file must have anywhere. */
async function expectedVectors(): Promise<Map<string, number>> {
  const byId = new Map([...files.get(plain)!].map(([name, id]) => [id, name]))
  const { results } = await env.DB.prepare('SELECT file_id AS fileId, count(*) AS n FROM vectors WHERE namespace = ?1 GROUP BY file_id')
    .bind(await vectorNamespace(w.admin.orgId, plain))
    .all<{ fileId: string; n: number }>()
  return new Map(results.map((r) => [byId.get(r.fileId)!, r.n]))
}

async function d1Vectors(workspaceId: string): Promise<number> {
  const namespace = await vectorNamespace(w.admin.orgId, workspaceId)
  return (await env.DB.prepare('SELECT count(*) AS n FROM vectors WHERE namespace = ?1').bind(namespace).first<{ n: number }>())!.n
}

/** A question's matches with file names for ids, so two workspaces' answers compare. */
async function nearest(workspaceId: string, text: string, filter?: Parameters<Deps['vectors']['query']>[2]['filter']): Promise<Array<[string, number]>> {
  const [vector] = await deps.models.embedding!.embed([text])
  const byId = new Map([...files.get(workspaceId)!].map(([name, id]) => [id, name]))
  const matches: VectorMatch[] = await deps.vectors.query(space(workspaceId), vector!, { topK: 10, ...(filter ? { filter } : {}) })
  return matches.map((m) => [`${byId.get(m.id.slice(0, m.id.indexOf(':')))}${m.id.endsWith('~p') ? '~p' : ''}`, Number(m.score.toFixed(6))])
}

let plain: string
beforeAll(async () => {
  w = await createOrgWithWorkspace()
  deps = embeddingDeps()
  plain = unique('ws')
  await workspaceInD1(w.admin.token, w.admin.orgId, plain, 'Plain')
  await moveWorkspaceIndex(moveDeps(), w.admin.orgId, w.ws, SHARDS)
  await ingestAll(w.ws)
  await ingestAll(plain)
}, 120_000)

describe('vectors in the shards', () => {
  it("keeps each file's vectors in the one shard its id hashes to, and none in D1's table", async () => {
    const layout = await readPlacement(env.DB, w.admin.orgId, w.ws)
    const perShard = await vectorsPerShard(w.ws, layout)
    const expected = await expectedVectors()
    // A small text file has one chunk; the PDF has its chunks and a vector per page.
    expect(expected.get('aurora.txt')).toBe(1)
    expect(expected.get('normal_4pages.pdf')).toBeGreaterThan(5)
    for (const [name, id] of files.get(w.ws)!) {
      const holder = shardOf(id, SHARDS)
      perShard.forEach((counts, n) => expect(counts.get(id) ?? 0, `${name} in shard ${n}`).toBe(n === holder ? expected.get(name) : 0))
    }
    expect(new Set([...files.get(w.ws)!.values()].map((id) => shardOf(id, SHARDS))).size).toBeGreaterThan(1)
    expect(await d1Vectors(w.ws)).toBe(0)
  })

  it('merges the shards’ matches into what one scan of the workspace finds, with the same scores', async () => {
    const sharded = await nearest(w.ws, 'aurora over the glacier')
    expect(sharded).toEqual(await nearest(plain, 'aurora over the glacier'))
    expect(sharded).toHaveLength(10)
    expect(sharded[0]![0]).toBe('aurora.txt')
    // Page vectors come back too, by the chunk they stand for.
    const pages = await nearest(w.ws, 'page')
    expect(pages).toEqual(await nearest(plain, 'page'))
    expect(pages.some(([name]) => name === 'normal_4pages.pdf~p')).toBe(true)
  })

  it('holds a filter in every shard as D1 does', async () => {
    const ids = (ws: string) => ['glacier.txt', 'fjord.txt', 'iceberg.txt'].map((n) => files.get(ws)!.get(n)!)
    const sharded = await nearest(w.ws, 'glacier fjord', { file_id: { $in: ids(w.ws) } })
    expect(sharded).toEqual(await nearest(plain, 'glacier fjord', { file_id: { $in: ids(plain) } }))
    expect(new Set(sharded.map(([name]) => name.replace('~p', '')))).toEqual(new Set(['glacier.txt', 'fjord.txt', 'iceberg.txt']))
  })

  it('answers the semantic arm: its hits load from the shards that hold them', async () => {
    const result = await semanticSearch(deps, { orgId: w.admin.orgId, workspaceId: w.ws, query: 'permafrost methane', topK: 3 })
    expect(result.hits[0]!.chunkId.startsWith(files.get(w.ws)!.get('permafrost.txt')!)).toBe(true)
    const loaded = await deps.index.load({ orgId: w.admin.orgId, workspaceId: w.ws }, result.hits)
    expect(loaded[0]!.filename).toBe('permafrost.txt')
  })

  it("deletes a file's vectors from its shard with the file", async () => {
    const id = files.get(w.ws)!.get('station.txt')!
    const layout = await readPlacement(env.DB, w.admin.orgId, w.ws)
    expect((await vectorsPerShard(w.ws, layout))[shardOf(id, SHARDS)]!.get(id)).toBe(1)
    await call('DELETE', `/files/${id}?workspace=${w.ws}`, { token: w.writer.token })
    expect((await vectorsPerShard(w.ws, layout))[shardOf(id, SHARDS)]!.get(id)).toBeUndefined()
    expect((await nearest(w.ws, 'research station weather')).some(([name]) => name.startsWith('undefined'))).toBe(false)
    files.get(w.ws)!.delete('station.txt')
  })
})

describe('moving a workspace moves its vectors', () => {
  it('D1 → 3 shards → 2 shards → D1: every vector where the layout says, the same matches at every step', async () => {
    const before = await nearest(plain, 'glacier summers')
    const expected = await expectedVectors()
    const total = [...expected.values()].reduce((a, b) => a + b, 0)
    for (const shards of [3, 2]) {
      const report = await moveWorkspaceIndex(moveDeps(), w.admin.orgId, plain, shards)
      expect(report.vectors).toBe(total)
      const layout = await readPlacement(env.DB, w.admin.orgId, plain)
      const perShard = await vectorsPerShard(plain, layout)
      for (const [name, id] of files.get(plain)!) expect(perShard[shardOf(id, shards)]!.get(id)).toBe(expected.get(name))
      expect(perShard.reduce((sum, counts) => sum + [...counts.values()].reduce((a, b) => a + b, 0), 0)).toBe(total)
      expect(await d1Vectors(plain)).toBe(0)
      expect(await nearest(plain, 'glacier summers')).toEqual(before)
    }
    const old = await readPlacement(env.DB, w.admin.orgId, plain)
    await moveWorkspaceIndex(moveDeps(), w.admin.orgId, plain, 0)
    expect(await d1Vectors(plain)).toBe(total)
    expect(await nearest(plain, 'glacier summers')).toEqual(before)
    // The shards it left are empty.
    expect((await vectorsPerShard(plain, old)).every((counts) => counts.size === 0)).toBe(true)
  })

  it('writes vectors to both layouts while a move runs, and the move leaves the file whole', async () => {
    const layout = await readPlacement(env.DB, w.admin.orgId, w.ws)
    expect(await claimMove(env.DB, w.admin.orgId, w.ws, 2)).toMatchObject({ shards: SHARDS })
    const id = files.get(w.ws)!.get('aurora.txt')!
    const [vector] = await deps.models.embedding!.embed(['a new vector during the move'])
    await deps.vectors.upsert(space(w.ws), [{ id: `${id}:p9:0`, values: vector!, metadata: { file_id: id } }])
    const next = { shards: 2, generation: layout.generation + 1 }
    expect((await vectorsPerShard(w.ws, layout))[shardOf(id, SHARDS)]!.get(id)).toBe(2)
    expect((await vectorsPerShard(w.ws, next))[shardOf(id, 2)]!.get(id)).toBe(1)
    // The move then copies everything, and the file that already had a vector there ends whole.
    const report = await moveWorkspaceIndex(moveDeps(), w.admin.orgId, w.ws, 2)
    expect(report.to).toEqual(next)
    expect((await vectorsPerShard(w.ws, next))[shardOf(id, 2)]!.get(id)).toBe(2)
    expect(await nearest(w.ws, 'a new vector during the move')).toContainEqual(['aurora.txt', 1])
  })
})
