/**
 * @module Shared by the perception tests: deps built by the composition root for an env whose vision
 * and speech models are served by the scripted model server, a queue that hands its messages to the
 * test, uploads, PNG header reading and long WAVs made of a real one.
 */
import { env } from 'cloudflare:test'
import { expect } from 'vitest'
import type { AppEnv } from '../../src/config'
import { buildDeps, type Deps } from '../../src/deps'
import { storeUploads } from '../../src/files/upload'
import type { IngestJob } from '../../src/ingest/jobs'
import { ingest } from '../../src/ingest/pipeline'
import { ftsCount, indexRows } from './index-rows'
import type { Received } from '../model-server/server'
import { callJson, type createOrgWithWorkspace } from './api-client'
import { server } from './model-server-client'
import { fixtureBytes } from './fixtures'


export type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>

/** Deps for MODEL_PROVIDER=openai (unless `vars` says otherwise) with the given roles and vars, and the messages their queue received. */
export function modelDeps(vars: { VISION_MODEL?: string; SPEECH_MODEL?: string; VISION_PAGES_PER_FILE?: string; MAX_FILE_BYTES?: string; MODEL_PROVIDER?: string; VISION_BASE_URL?: string }) {
  const jobs: IngestJob[] = []
  const queue = {
    send: async (body: IngestJob) => void jobs.push(body),
    sendBatch: async (messages: Iterable<{ body: IngestJob }>) => void jobs.push(...[...messages].map((m) => m.body)),
  }
  const appEnv = { ...env, MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, EMBEDDING_MODEL: '', ...vars, INGEST_QUEUE: queue } as unknown as AppEnv
  return { deps: buildDeps(appEnv), jobs }
}

/** Runs the queued messages (and any a big PDF fans out into) the way the consumer would. */
export async function drain(deps: Deps, jobs: IngestJob[]): Promise<void> {
  while (jobs.length > 0) await ingest(deps, jobs.shift()!)
}

/** Uploads as the API would and ingests through `deps`; returns the file object the API serves. */
export async function ingestWith(built: ReturnType<typeof modelDeps>, w: World, name: string, bytes: Uint8Array) {
  const [row] = await storeUploads(built.deps, { orgId: w.writer.orgId, workspaceId: w.ws, userId: w.writer.id, purpose: 'user_data', metadata: {}, instructions: null }, [{ name, bytes }])
  await drain(built.deps, built.jobs)
  return callJson('GET', `/files/${row!.id}?workspace=${w.ws}`, { token: w.writer.token })
}


/** The image a chat completion request carried, decoded from its data URI. */
export function sentImage(request: Received): { mediaType: string; bytes: Uint8Array } {
  const content = (request.body as { messages: Array<{ content: Array<{ type: string; image_url?: { url: string } }> }> }).messages[0]!.content
  const url = content.find((p) => p.type === 'image_url')!.image_url!.url
  const match = /^data:([^;]+);base64,(.*)$/.exec(url)!
  return { mediaType: match[1]!, bytes: Uint8Array.from(atob(match[2]!), (c) => c.charCodeAt(0)) }
}

export type ChunkRow = { id: string; text: string; page: number | null; modality: string; start_time: number | null; end_time: number | null; part: number }

export async function chunksOf(fileId: string): Promise<ChunkRow[]> {
  return indexRows<ChunkRow>(fileId, 'SELECT id, text, page, modality, start_time, end_time, part FROM chunks WHERE file_id = ? ORDER BY part, position')
}

export async function ftsHits(fileId: string, query: string): Promise<number> {
  return ftsCount(fileId, query)
}

/** Width and height from a PNG's IHDR, after checking the signature and that IHDR comes first. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  expect(new TextDecoder().decode(bytes.subarray(12, 16))).toBe('IHDR')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { width: view.getUint32(16), height: view.getUint32(20) }
}

/** A WAV's format and samples, read here independently of the code under test. */
export function readWav(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const text = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4))
  expect(text(0)).toBe('RIFF')
  expect(view.getUint32(4, true)).toBe(bytes.length - 8)
  expect(text(8)).toBe('WAVE')
  let at = 12
  let format: { byteRate: number; blockAlign: number } | null = null
  for (;;) {
    const size = view.getUint32(at + 4, true)
    if (text(at) === 'fmt ') format = { byteRate: view.getUint32(at + 16, true), blockAlign: view.getUint16(at + 20, true) }
    if (text(at) === 'data') return { format: format!, samples: bytes.subarray(at + 8, at + 8 + size) }
    at += 8 + size + (size % 2)
  }
}

/** jfk.wav with its samples repeated `times` times: a long recording made of a real one. */
export async function longWav(times: number): Promise<Uint8Array> {
  const wav = await fixtureBytes('samples/audio/jfk.wav')
  const { samples } = readWav(wav)
  const header = wav.subarray(0, samples.byteOffset - wav.byteOffset)
  const out = new Uint8Array(header.length + samples.length * times)
  out.set(header)
  for (let i = 0; i < times; i++) out.set(samples, header.length + i * samples.length)
  const view = new DataView(out.buffer)
  view.setUint32(4, out.length - 8, true)
  view.setUint32(header.length - 4, samples.length * times, true)
  return out
}
