/**
 * The files domain with no HTTP in front of it, as a console, an MCP tool or a CLI would call it:
 * an upload through `uploadFiles` lands in real local R2 and D1, ingestion (driven here message by
 * message) moves it through the state machine to `processed`, and listing, metadata, bytes and
 * deletion answer from the same functions the REST routes call. Refused moves of the state machine
 * leave the row as it was.
 */
import { env } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'
import type { AppEnv } from '../../src/config'
import type { Access } from '../../src/db/schema'
import { buildDeps } from '../../src/deps'
import { openFile, type FileCaller } from '../../src/files/access'
import { FileError } from '../../src/files/errors'
import { fileContent } from '../../src/files/file-bytes'
import { deleteFile } from '../../src/files/file-deletion'
import { claimStalled, markFailed, markProcessing, touchProgress } from '../../src/files/lifecycle'
import { listFiles } from '../../src/files/listing'
import { updateFileMetadata } from '../../src/files/metadata-update'
import { uploadFiles } from '../../src/files/upload-request'
import type { IngestJob } from '../../src/ingest/jobs'
import { ingest } from '../../src/ingest/pipeline'
import { unique } from './api-client'
import { chunkCount } from './index-rows'

/** Deps whose queue keeps what is sent (no consumer runs it) and with no ingest watch to sweep behind the test. */
function domainDeps() {
  const jobs: IngestJob[] = []
  const queue = {
    send: async (body: IngestJob) => void jobs.push(body),
    sendBatch: async (messages: Iterable<{ body: IngestJob }>) => void jobs.push(...[...messages].map((m) => m.body)),
  }
  const deps = buildDeps({ ...env, INGEST_QUEUE: queue, INGEST_WATCH: undefined } as unknown as AppEnv)
  return { deps, jobs }
}

/** A caller of a fresh org whose access rule is recorded, and refused where `refuse` says. */
function callerOf(refuse: (workspaceId: string, needed: Access) => boolean = () => false) {
  const asked: Array<[string, Access]> = []
  const userId = unique('user')
  const caller: FileCaller = {
    orgId: unique('org'),
    userId,
    actor: { kind: 'user', userId },
    authorize: async (workspaceId, needed) => {
      asked.push([workspaceId, needed])
      if (refuse(workspaceId, needed)) throw new Error(`no ${needed} access to ${workspaceId}`)
    },
  }
  return { caller, asked }
}

const text = (name: string, body: string) => new File([body], name, { type: 'text/plain' })

async function statusOf(fileId: string) {
  return env.DB.prepare('SELECT status, status_details, recoveries, recovered_at, progress_at FROM files WHERE id = ?1').bind(fileId).first<{
    status: string
    status_details: string | null
    recoveries: number
    recovered_at: number | null
    progress_at: number | null
  }>()
}

describe('an upload through the files domain, no HTTP', () => {
  it('is stored, ingested to processed, listed, updated, read back and deleted', async () => {
    const { deps, jobs } = domainDeps()
    const { caller, asked } = callerOf()
    const body = 'Hegel wrote the Phenomenology of Spirit in Jena, finishing it in 1806.'
    const [row] = await uploadFiles(deps, caller, { workspace: 'research', metadata: '{"author": "hegel"}', parts: [text('notes.txt', body)] })
    expect(asked).toEqual([['research', 'writer']])
    expect(row).toMatchObject({ status: 'uploaded', orgId: caller.orgId, workspaceId: 'research', userId: caller.userId, purpose: 'user_data', kind: 'text' })
    expect(await (await env.FILES.get(row!.blobKey))!.text()).toBe(body)
    expect(jobs).toEqual([{ fileId: row!.id, orgId: caller.orgId, workspaceId: 'research' }])

    await ingest(deps, jobs[0]!)
    const done = await openFile(deps.db, caller, row!.id, 'research', 'reader')
    expect(done.status, done.statusDetails ?? '').toBe('processed')
    expect(done.chunkCount).toBeGreaterThan(0)

    const page = await listFiles(deps.db, caller, { workspace: 'research', limit: 10, order: 'desc', metadata: 'metadata.author == "hegel"' })
    expect(page).toMatchObject({ total: 1, hasMore: false })
    expect(page.rows.map((r) => r.id)).toEqual([row!.id])

    const updated = await updateFileMetadata(deps, caller, row!.id, undefined, { year: 1806, author: null })
    expect(JSON.parse(updated.metadata)).toEqual({ year: 1806 })

    const { object } = await fileContent(deps, caller, row!.id, undefined)
    expect(await object.text()).toBe(body)

    expect(await deleteFile(deps, caller, row!.id, undefined)).toBe(row!.id)
    expect(await statusOf(row!.id)).toBeNull()
    expect(await env.FILES.get(row!.blobKey)).toBeNull()
    expect(await chunkCount(row!.id, { orgId: row!.orgId, workspaceId: row!.workspaceId })).toBe(0)
  })

  it('refuses with typed errors a front door maps to its own answers', async () => {
    const { deps, jobs } = domainDeps()
    const { caller } = callerOf()
    const refusal = (promise: Promise<unknown>) => promise.then(() => null, (err: unknown) => (err instanceof FileError ? { kind: err.kind, param: err.param } : err))

    expect(await refusal(uploadFiles(deps, caller, { parts: [text('empty.txt', '')] }))).toEqual({ kind: 'upload_refused', param: 'file' })
    expect(await refusal(uploadFiles(deps, caller, { metadata: '[1]', parts: [text('a.txt', 'a')] }))).toEqual({ kind: 'invalid', param: 'metadata' })
    expect(await refusal(uploadFiles(deps, caller, { parts: ['not a file'] }))).toEqual({ kind: 'invalid', param: 'file' })
    expect(jobs).toEqual([])
    expect(await refusal(listFiles(deps.db, caller, { limit: 10, order: 'desc', metadata: 'metadata.author ==' }))).toEqual({ kind: 'invalid_filter', param: 'metadata' })
    expect(await refusal(openFile(deps.db, caller, 'file-none', undefined, 'reader'))).toEqual({ kind: 'not_found', param: 'file_id' })

    // Another org's caller does not see the file at all; tenancy's refusal passes through as it was thrown.
    const [row] = await uploadFiles(deps, caller, { parts: [text('a.txt', 'a')] })
    expect(await refusal(openFile(deps.db, callerOf().caller, row!.id, undefined, 'reader'))).toEqual({ kind: 'not_found', param: 'file_id' })
    const readOnly = { ...caller, authorize: async (_: string, needed: Access) => { if (needed !== 'reader') throw new Error('read only') } }
    await expect(deleteFile(deps, readOnly, row!.id, undefined)).rejects.toThrow('read only')
    expect((await statusOf(row!.id))!.status).toBe('uploaded')
  })
})

describe('the state machine against the row', () => {
  async function uploaded() {
    const { deps } = domainDeps()
    const [row] = await uploadFiles(deps, callerOf().caller, { parts: [text('s.txt', 'some text')] })
    return { deps, id: row!.id }
  }

  it('start moves uploaded to processing, and again (a redelivered planning message); an ended file stays ended', async () => {
    const { deps, id } = await uploaded()
    expect(await markProcessing(deps.d1, id)).toBe(true)
    expect(await markProcessing(deps.d1, id)).toBe(true)
    expect((await statusOf(id))!.status).toBe('processing')
    await markFailed(deps.d1, id, 'It broke.')
    expect(await markProcessing(deps.d1, id)).toBe(false)
    expect(await statusOf(id)).toMatchObject({ status: 'error', status_details: 'It broke.' })
  })

  it('a failed file keeps its first reason, and its clock stops', async () => {
    const { deps, id } = await uploaded()
    await markFailed(deps.d1, id, 'First.')
    await markFailed(deps.d1, id, 'Second.')
    const before = await statusOf(id)
    expect(before).toMatchObject({ status: 'error', status_details: 'First.' })
    await touchProgress(deps.d1, id, Date.now() + 60_000)
    expect((await statusOf(id))!.progress_at).toBe(before!.progress_at)
  })

  it('the sweep claims a stalled file once, and never an ended one', async () => {
    const { deps, id } = await uploaded()
    const later = Date.now() + 10 * 60_000
    expect(await claimStalled(deps.d1, id, { now: later, attempted: true, cutoff: later - 1 })).toBe(true)
    // A second sweep at the same moment finds the file freshly claimed.
    expect(await claimStalled(deps.d1, id, { now: later, attempted: true, cutoff: later - 1 })).toBe(false)
    expect(await statusOf(id)).toMatchObject({ status: 'uploaded', recoveries: 1, recovered_at: later })
    await markFailed(deps.d1, id, 'Gone wrong.')
    expect(await claimStalled(deps.d1, id, { now: later + 1, attempted: true, cutoff: later + 1 })).toBe(false)
  })

  it('a processed file fails on a dead letter, and is ingested no further', async () => {
    const { deps, jobs } = domainDeps()
    const [row] = await uploadFiles(deps, callerOf().caller, { parts: [text('p.txt', 'processed text, enough to chunk')] })
    await ingest(deps, jobs[0]!)
    expect((await statusOf(row!.id))!.status).toBe('processed')
    expect(await markProcessing(deps.d1, row!.id)).toBe(false)
    await markFailed(deps.d1, row!.id, 'Dead letter.')
    expect(await statusOf(row!.id)).toMatchObject({ status: 'error', status_details: 'Dead letter.' })
  })
})
