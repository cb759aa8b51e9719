/**
 * Recovery of stalled ingestion, in workerd with real D1, Queues and the IngestWatch Durable Object:
 * a PDF whose part messages were lost is finished by the watch's alarm with the chunks of a clean run;
 * re-queued work writes nothing twice (chunks, index rows, vectors); a file that stalls after every
 * attempt ends `error` after three recoveries; the sweep covers files still `uploaded`; the watch's
 * alarm is armed where work starts and re-arms only while files are in flight.
 */
import { applyD1Migrations, createExecutionContext, createMessageBatch, env, getQueueResult, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AppEnv } from '../../src/config'
import { buildDeps, type Deps } from '../../src/deps'
import { storeUploads } from '../../src/files/upload'
import { WATCH_INTERVAL_MS, type IngestWatchObject as IngestWatch } from '../../src/ingest/ingest-watch'
import type { IngestJob, QueueJob } from '../../src/ingest/jobs'
import { planPageRanges } from '../../src/ingest/parsers/pdf'
import { ingest } from '../../src/ingest/pipeline'
import { consumeIngestBatch } from '../../src/ingest/queue-consumer'
import { GAVE_UP_REASON, MAX_RECOVERIES, sweepStalledFiles } from '../../src/ingest/sweeper'
import { INGEST_WATCH_NAME } from '../../src/ingest/watch'
import { createOrgWithWorkspace, unique, waitForIngest } from './api-client'
import { ftsCount, indexCount, indexRows, vectorCount } from './index-rows'
import { fixtureBytes } from './fixtures'
import { server } from './model-server-client'
import { useWatchEnv } from './watch-env'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
let pdf: Uint8Array
beforeAll(async () => {
  w = await createOrgWithWorkspace()
  pdf = await fixtureBytes('samples/pdf/tracemonkey.pdf')
})
afterEach(() => useWatchEnv(null))

const watch = () => env.INGEST_WATCH.getByName(INGEST_WATCH_NAME) as unknown as DurableObjectStub<IngestWatch>
const realDeps = () => buildDeps(env)
const stallMs = () => realDeps().config.ingestStallMs
/** tracemonkey.pdf has 14 pages; PAGES_PER_MESSAGE is 5 in tests, so it fans out into three parts. */
const ranges = planPageRanges(14, 5)

/** Deps whose queue keeps what is sent for the test to run, lose or inspect: no consumer sees it. */
function capturingDeps(extraEnv: Record<string, unknown> = {}) {
  const jobs: IngestJob[] = []
  const queue = {
    send: async (body: IngestJob) => void jobs.push(body),
    sendBatch: async (messages: Iterable<{ body: IngestJob }>) => void jobs.push(...[...messages].map((m) => m.body)),
  }
  const deps = buildDeps({ ...env, ...extraEnv, INGEST_QUEUE: queue } as unknown as AppEnv)
  return { deps, jobs }
}

async function upload(deps: Deps, name: string, bytes: Uint8Array) {
  const [row] = await storeUploads(deps, { orgId: w.writer.orgId, workspaceId: w.ws, userId: w.writer.id, purpose: 'user_data', metadata: {}, instructions: null }, [{ name, bytes }])
  return row!
}

const planning = (file: { id: string; orgId: string; workspaceId: string }): IngestJob => ({ fileId: file.id, orgId: file.orgId, workspaceId: file.workspaceId })
const partJob = (file: { id: string; orgId: string; workspaceId: string }, part: number): IngestJob => ({ ...planning(file), part, pages: ranges[part]! })

type FileState = { status: string; status_details: string | null; parts_total: number | null; progress_at: number | null; recoveries: number; recovered_at: number | null; chunk_count: number }
async function stateOf(fileId: string): Promise<FileState> {
  return (await env.DB.prepare('SELECT status, status_details, parts_total, progress_at, recoveries, recovered_at, chunk_count FROM files WHERE id = ?').bind(fileId).first<FileState>())!
}

/** Chunk ids without the file id, in order: the same document gives the same list in any file. */
async function chunkKeys(fileId: string): Promise<string[]> {
  const rows = await indexRows<{ id: string }>(fileId, 'SELECT id FROM chunks WHERE file_id = ? ORDER BY part, position')
  return rows.map((r) => r.id.slice(fileId.length))
}

/** What the index holds of the file, wherever its workspace keeps it (index-rows.ts). */
const count = (sql: string, fileId: string) => indexCount(fileId, sql)
const ftsRows = (fileId: string) => ftsCount(fileId)
const vectorRows = (fileId: string) => vectorCount(fileId)

/** Sets the file's last sign of life `ms` back, as if the runtime had stopped that long ago. */
async function quietFor(fileId: string, ms: number): Promise<void> {
  await env.DB.prepare('UPDATE files SET progress_at = ?2, recovered_at = NULL WHERE id = ?1').bind(fileId, Date.now() - ms).run()
}

/** The PDF ingested from upload to the end with nothing lost: what every recovery must match. */
async function cleanRun(deps: Deps, jobs: IngestJob[]) {
  const file = await upload(deps, 'tracemonkey.pdf', pdf)
  while (jobs.length > 0) await ingest(deps, jobs.shift()!)
  expect((await stateOf(file.id)).status).toBe('processed')
  return file
}

/** A fanned-out PDF as a stopped runtime leaves it: planned, part 0 stored, the other parts' messages gone. */
async function halfFinished(deps: Deps, jobs: IngestJob[]) {
  const file = await upload(deps, 'tracemonkey.pdf', pdf)
  await ingest(deps, jobs.shift()!)
  expect(jobs.map((j) => j.part)).toEqual([0, 1, 2])
  await ingest(deps, jobs.shift()!)
  jobs.length = 0
  expect(await stateOf(file.id)).toMatchObject({ status: 'processing', parts_total: 3 })
  return file
}

describe('a stalled file is finished by the watch', { timeout: 60_000 }, () => {
  it("a processing PDF whose part messages were lost is finished by the watch's alarm, with the chunks of a clean run", async () => {
    const clean = capturingDeps()
    const reference = await cleanRun(clean.deps, clean.jobs)
    const lost = capturingDeps()
    const file = await halfFinished(lost.deps, lost.jobs)
    await quietFor(file.id, stallMs() + 1000)

    const stub = watch()
    await stub.ensure()
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    // The sweep sent parts 1 and 2 to the real queue, which the test Worker consumes.
    const done = await waitForIngest(w.writer.token, file.id, 20_000)
    expect(done.status, done.status_details).toBe('processed')
    expect(await chunkKeys(file.id)).toEqual(await chunkKeys(reference.id))
    expect(await ftsRows(file.id)).toBe(await ftsRows(reference.id))
    expect(done.progress).toMatchObject({ pages_total: 14, pages_done: 14 })
    // A finished part is progress: the recovery count starts again.
    expect((await stateOf(file.id)).recoveries).toBe(0)
  })

  it('re-queuing finished parts or a whole half-finished file writes no chunk, index row or vector twice', async () => {
    // With an embedding model (the scripted server), so vectors are written too.
    const embedding = { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: unique('embed-recovery') }
    const clean = capturingDeps(embedding)
    const reference = await cleanRun(clean.deps, clean.jobs)
    const expected = await chunkKeys(reference.id)
    // One vector per chunk, and one per page that has chunks (its own, embed-step.ts's pageTexts).
    const pages = await count('SELECT count(DISTINCT page) AS n FROM chunks WHERE file_id = ?', reference.id)
    expect(await vectorRows(reference.id)).toBe(expected.length + pages)

    const { deps, jobs } = capturingDeps(embedding)
    const file = await halfFinished(deps, jobs)
    // Everything again, finished part 0 twice, and the planning message, as a sweep and a late redelivery might.
    for (const job of [planning(file), partJob(file, 0), partJob(file, 1), partJob(file, 0), partJob(file, 2), partJob(file, 1)]) await ingest(deps, job)
    while (jobs.length > 0) await ingest(deps, jobs.shift()!)
    expect((await stateOf(file.id)).status).toBe('processed')
    // A finished part of the processed file, once more.
    await ingest(deps, partJob(file, 1))
    await ingest(deps, planning(file))

    expect(await chunkKeys(file.id)).toEqual(expected)
    expect(await ftsRows(file.id)).toBe(expected.length)
    expect(await vectorRows(file.id)).toBe(expected.length + pages)
    expect((await env.DB.prepare('SELECT count(*) AS n FROM file_parts WHERE file_id = ?').bind(file.id).first<{ n: number }>())!.n).toBe(3)
    expect((await stateOf(file.id)).chunk_count).toBe(expected.length)
  })
})

describe('the sweep', { timeout: 60_000 }, () => {
  it('queues again a file whose upload message was lost, and leaves recent and finished files alone', async () => {
    const lost = capturingDeps()
    const file = await upload(lost.deps, `${unique('lost')}.md`, new TextEncoder().encode('# Lost\n\nA sweep finds files nobody processed.'))
    const recent = await upload(lost.deps, `${unique('recent')}.md`, new TextEncoder().encode('# Recent\n\nJust uploaded.'))
    // The clock runs ahead by hand (so the watch's own alarms leave these files alone): `file` was
    // uploaded a stall ago, `recent` a moment ago.
    let now = Date.now() + stallMs() + 1000
    await env.DB.prepare('UPDATE files SET created_at_ms = ?2 WHERE id = ?1').bind(recent.id, now - 500).run()
    expect((await stateOf(file.id)).status).toBe('uploaded')

    const { deps, jobs } = capturingDeps()
    await sweepStalledFiles(deps, now)
    expect(jobs).toContainEqual(planning(file))
    expect(jobs.some((j) => j.fileId === recent.id)).toBe(false)
    // A file that never started is not counted against it.
    expect((await stateOf(file.id)).recoveries).toBe(0)

    // Queued again too soon after a recovery: not yet.
    jobs.length = 0
    await sweepStalledFiles(deps, now)
    expect(jobs.some((j) => j.fileId === file.id)).toBe(false)

    // Through the real queue, both are processed once they have waited long enough.
    now += stallMs() + 1000
    await sweepStalledFiles(realDeps(), now)
    expect((await waitForIngest(w.writer.token, file.id, 20_000)).status).toBe('processed')
    expect((await waitForIngest(w.writer.token, recent.id, 20_000)).status).toBe('processed')
  })

  it(`a file that stalls after every attempt ends error after ${MAX_RECOVERIES} recoveries, with a sentence and no chunks`, async () => {
    const { deps, jobs } = capturingDeps()
    const file = await halfFinished(deps, jobs)
    expect(await count('SELECT count(*) AS n FROM chunks WHERE file_id = ?', file.id)).toBeGreaterThan(0)
    // The clock is driven by hand: `now` runs ahead, so the watch's own alarms never see this file stalled.
    let now = (await stateOf(file.id)).progress_at! + stallMs() + 1
    for (let round = 1; round <= MAX_RECOVERIES; round++) {
      jobs.length = 0
      expect(await sweepStalledFiles(deps, now)).toMatchObject({ requeued: 1, failed: 0 })
      expect(jobs.map((j) => j.part)).toEqual([1, 2])
      expect((await stateOf(file.id)).recoveries).toBe(round)
      // A re-queued message was lost before it started (the runtime stopped again): that does not count.
      now += stallMs() + 1
      await sweepStalledFiles(deps, now)
      expect((await stateOf(file.id)).recoveries).toBe(round)
      // The next one started on the file, and the runtime died under it.
      await env.DB.prepare('UPDATE files SET progress_at = ?2 WHERE id = ?1').bind(file.id, now + 1).run()
      now += stallMs() + 2
    }
    expect(await sweepStalledFiles(deps, now)).toMatchObject({ failed: 1 })
    const failed = await stateOf(file.id)
    expect(failed.status).toBe('error')
    expect(failed.status_details).toBe(GAVE_UP_REASON)
    expect(failed.status_details).toMatch(/stopped while indexing this file three times/)
    expect(await count('SELECT count(*) AS n FROM chunks WHERE file_id = ?', file.id)).toBe(0)
  })

  it('a part finishing between stalls starts the count again', async () => {
    const { deps, jobs } = capturingDeps()
    const file = await halfFinished(deps, jobs)
    let now = (await stateOf(file.id)).progress_at! + stallMs() + 1
    await sweepStalledFiles(deps, now)
    expect((await stateOf(file.id)).recoveries).toBe(1)
    await ingest(deps, partJob(file, 1))
    expect((await stateOf(file.id)).recoveries).toBe(0)
    // On the test's clock, the part finished just after the recovery.
    await env.DB.prepare('UPDATE files SET progress_at = ?2 WHERE id = ?1').bind(file.id, now + 1).run()
    jobs.length = 0
    now += stallMs() + 2
    await sweepStalledFiles(deps, now)
    expect(jobs.map((j) => j.part)).toEqual([2])
    expect((await stateOf(file.id)).recoveries).toBe(1)
    await ingest(deps, jobs.shift()!)
    expect((await stateOf(file.id)).status).toBe('processed')
  })
})

describe('the watch', { timeout: 60_000 }, () => {
  const alarmOf = (stub: ReturnType<typeof watch>) => runInDurableObject(stub, (_object, state) => state.storage.getAlarm())
  const clearAlarm = (stub: ReturnType<typeof watch>) => runInDurableObject(stub, (_object, state) => state.storage.deleteAlarm())

  it('an upload and a queue batch arm it; arming again leaves the alarm where it is', async () => {
    const stub = watch()
    await clearAlarm(stub)
    const before = Date.now()
    const { deps, jobs } = capturingDeps()
    const file = await upload(deps, `${unique('arm')}.md`, new TextEncoder().encode('# Arm\n\ntext'))
    const armed = await alarmOf(stub)
    expect(armed).not.toBeNull()
    expect(armed!).toBeGreaterThanOrEqual(before + WATCH_INTERVAL_MS)
    await stub.ensure()
    expect(await alarmOf(stub)).toBe(armed)

    await clearAlarm(stub)
    const batch = createMessageBatch<QueueJob>('cairn-ingest', [{ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body: { fileId: 'file-none', orgId: 'o', workspaceId: 'w' } }])
    await consumeIngestBatch(batch, buildDeps(env as unknown as AppEnv))
    await getQueueResult(batch, createExecutionContext())
    expect(await alarmOf(stub)).not.toBeNull()
    while (jobs.length > 0) await ingest(deps, jobs.shift()!)
    expect((await stateOf(file.id)).status).toBe('processed')
  })

  it('its alarm sweeps and sets itself again only while a file is uploaded or processing', async () => {
    // An empty database of its own, so what other tests leave in flight does not count.
    await applyD1Migrations(env.WATCH_DB, env.TEST_MIGRATIONS)
    useWatchEnv({ DB: env.WATCH_DB })
    const stub = watch()
    await env.WATCH_DB.prepare('DELETE FROM files').run()

    await stub.ensure()
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await alarmOf(stub)).toBeNull()

    const id = unique('file')
    const insert = env.WATCH_DB.prepare(
      `INSERT INTO files (id, org_id, workspace_id, user_id, filename, bytes, purpose, kind, content_type, status, created_at, created_at_ms, blob_key, progress_at)
       VALUES (?1, 'o', 'w', 'u', 'a.md', 1, 'user_data', 'markdown', 'text/markdown', ?2, 0, ?3, 'k', ?3)`,
    )
    for (const status of ['uploaded', 'processing']) {
      await env.WATCH_DB.prepare('DELETE FROM files').run()
      await insert.bind(id, status, Date.now()).run()
      await stub.ensure()
      const started = Date.now()
      expect(await runDurableObjectAlarm(stub)).toBe(true)
      const next = await alarmOf(stub)
      expect(next, status).not.toBeNull()
      expect(next!).toBeGreaterThanOrEqual(started + WATCH_INTERVAL_MS)
    }

    await env.WATCH_DB.prepare("UPDATE files SET status = 'processed'").run()
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await alarmOf(stub)).toBeNull()
  })
})
