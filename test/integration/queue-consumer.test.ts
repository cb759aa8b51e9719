/**
 * The ingest consumer's failure handling, driven with `createMessageBatch` / `getQueueResult`:
 * a transient failure is retried with backoff; a message that reached the dead-letter queue fails its
 * file with a plain sentence and leaves no chunks.
 */
import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { callJson, createOrgWithWorkspace, uploadText, waitForIngest } from './api-client'
import { chunkCount } from './index-rows'
import { consumeIngestBatch, retryDelaySeconds } from '../../src/ingest/queue-consumer'
import type { IngestJob } from '../../src/ingest/jobs'
import type { AppEnv } from '../../src/config'
import { buildDeps } from '../../src/deps'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

function message(job: IngestJob, attempts = 1) {
  return { id: crypto.randomUUID(), timestamp: new Date(), attempts, body: job }
}

describe('ingest queue consumer', () => {
  it('retries a transient failure with growing delays instead of failing the file', async () => {
    const file = await uploadText(w.writer.token, w.ws)
    await waitForIngest(w.writer.token, file.id)
    await env.DB.prepare("UPDATE files SET status = 'uploaded' WHERE id = ?").bind(file.id).run()
    // The real bucket, except that reads fail, as during an outage.
    const failingFiles = new Proxy(env.FILES, {
      get: (target, prop) => (prop === 'get' ? async () => { throw new Error('R2 is unavailable') } : Reflect.get(target, prop)),
    })
    const job = { fileId: file.id, orgId: w.writer.orgId, workspaceId: w.ws }
    const messages = [message(job, 1), message(job, 3)]
    const batch = createMessageBatch<IngestJob>('cairn-ingest', messages)
    const ctx = createExecutionContext()
    await consumeIngestBatch(batch, { ...buildDeps(env as unknown as AppEnv), blobs: failingFiles })
    const result = await getQueueResult(batch, ctx)
    expect(result.explicitAcks).toEqual([])
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(messages.map((m) => m.id))
    const after = await callJson('GET', `/files/${file.id}`, { token: w.writer.token })
    expect(after.status).not.toBe('error')
  })

  it('backs off 10 s, 20 s, 40 s … up to 5 minutes', () => {
    expect([1, 2, 3, 4, 5, 6, 10].map(retryDelaySeconds)).toEqual([10, 20, 40, 80, 160, 300, 300])
  })

  it('a dead-lettered message fails its file with a sentence and removes its chunks', async () => {
    const file = await uploadText(w.writer.token, w.ws, 'long.txt', 'Some text that gets indexed. '.repeat(50))
    const done = await waitForIngest(w.writer.token, file.id)
    expect(done.progress.chunks).toBeGreaterThan(0)
    const batch = createMessageBatch<IngestJob>('cairn-ingest-dlq', [message({ fileId: file.id, orgId: w.writer.orgId, workspaceId: w.ws }, 6)])
    const ctx = createExecutionContext()
    await consumeIngestBatch(batch, buildDeps(env as unknown as AppEnv))
    const result = await getQueueResult(batch, ctx)
    expect(result.explicitAcks).toHaveLength(1)
    const failed = await callJson('GET', `/files/${file.id}`, { token: w.writer.token })
    expect(failed.status).toBe('error')
    expect(failed.status_details).toMatch(/could not process this file after several attempts/)
    expect(await chunkCount(file.id)).toBe(0)
  })
})
