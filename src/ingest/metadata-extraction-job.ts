/**
 * @module Running a file's metadata extraction: queueing it once the file is processed, the queue job
 * that has the reasoning model read the file's first chunks and merges its checked answer into the
 * metadata, and giving up when the queue does. The request's state lives in `files.instructions`.
 */
import type { FileAt } from '../search/chunk-index'
import { generateText } from 'ai'
import type { Ports } from '../ports'
import { MAX_METADATA_BYTES } from '../files/file-object'
import { claimPendingExtraction, finishExtraction, returnExtractionToPending } from '../files/metadata-writes'
import { ModelCallError } from '../models/retry'
import { UsageMeter } from '../models/usage'
import { meterMeasures } from '../usage/measures'
import { recordUsage } from '../usage/record'
import { plainSentence } from './errors'
import type { ExtractMetadataJob } from './jobs'
import {
  describeExtraction,
  EXCERPT_TOKENS,
  excerptOf,
  EXTRACTION_SYSTEM_PROMPT,
  extractionPrompt,
  NO_REASONING_MODEL,
  parseExtractedMetadata,
  readExtractionState,
  type ExtractionState,
} from './metadata-extraction'

export type ExtractionDeps = Pick<Ports, 'd1' | 'index' | 'ingestQueue' | 'models'>

/** Chunks read at most; the token budget usually stops far earlier. */
const MAX_CHUNKS = 400
/** The answer is a small object; a reasoning model also spends output tokens thinking first. */
const MAX_OUTPUT_TOKENS = 4_096

const GAVE_UP =
  'Metadata could not be extracted after several attempts (the reasoning model kept failing or timing out), so the metadata was left as it was. Send the instructions again with PATCH /files/{file_id}/metadata.'

/**
 * Moves a processed file's waiting request to `queued` and sends its job; false when there is none.
 * The claim is conditional (files/metadata-writes.ts), so of the API and the consumer racing at the
 * moment a file turns processed, exactly one sends the job.
 */
export async function queueMetadataExtraction(deps: Pick<Ports, 'd1' | 'ingestQueue'>, fileId: string): Promise<boolean> {
  const claimed = await claimPendingExtraction(deps.d1, fileId)
  if (!claimed) return false
  try {
    await deps.ingestQueue.send({ kind: 'extract-metadata', fileId, ...claimed })
  } catch (err) {
    // Put it back, so the next completed message or PATCH can queue it again.
    await returnExtractionToPending(deps.d1, fileId, claimed.request)
    throw err
  }
  return true
}

type FileForExtraction = { status: string; filename: string; instructions: string | null; orgId: string; userId: string; workspaceId: string }

/** Ends the request (unless a newer one replaced it); `patch`, when given, is merged into the metadata in the same statement. */
async function finish(deps: ExtractionDeps, fileId: string, state: ExtractionState, merge?: { file: FileAt; patch: Record<string, unknown> }): Promise<boolean> {
  const done = { ...state, finished_at: Math.floor(Date.now() / 1000) }
  const merged = await finishExtraction(deps.d1, fileId, state.request, done, merge?.patch)
  // The filter reads metadata from the index's copy of the file too.
  if (merged && merge) await deps.index.publish([merge.file])
  return merged
}

async function readExcerpt(deps: ExtractionDeps, file: FileAt) {
  return excerptOf(await deps.index.excerpt(file, MAX_CHUNKS), EXCERPT_TOKENS)
}

/**
 * The queue job. Resolves when the request is finished with (done, failed, or replaced by a newer
 * one); rejects on a passing model failure, for the queue to retry. A failure leaves the metadata as it was.
 */
export async function extractMetadata(deps: ExtractionDeps, job: ExtractMetadataJob): Promise<void> {
  const file = await deps.d1.prepare('SELECT status, filename, instructions, org_id AS orgId, user_id AS userId, workspace_id AS workspaceId FROM files WHERE id = ?1').bind(job.fileId).first<FileForExtraction>()
  const state = file ? readExtractionState(file.instructions) : null
  // Deleted, replaced by a newer request, or a redelivered job whose work is done.
  if (!file || !state || state.request !== job.request || state.status !== 'queued') return
  const at: FileAt = { id: job.fileId, orgId: file.orgId, workspaceId: file.workspaceId }
  const fail = async (details: string, usage = state.usage): Promise<void> => {
    await finish(deps, job.fileId, { ...state, status: 'failed', details: plainSentence(details), usage })
  }
  if (file.status === 'error') return fail('The file could not be processed, so there was no content to apply the instructions to.')
  if (file.status !== 'processed') {
    // Being ingested again: wait, and the message that completes it queues the request anew.
    await returnExtractionToPending(deps.d1, job.fileId, state.request)
    return
  }
  const reasoning = deps.models.reasoning
  if (!reasoning) return fail(NO_REASONING_MODEL)
  const excerpt = await readExcerpt(deps, at)
  if (excerpt.text.trim() === '') return fail('The file holds no text to read, so no metadata was extracted.')

  const meter = new UsageMeter()
  let answer: string
  try {
    const result = await generateText({
      model: deps.models.metered(meter).reasoning?.model ?? reasoning.model,
      maxRetries: 0,
      system: EXTRACTION_SYSTEM_PROMPT,
      prompt: extractionPrompt({ filename: file.filename, instructions: state.instructions, excerpt }),
      maxOutputTokens: MAX_OUTPUT_TOKENS,
    })
    answer = result.text
  } catch (err) {
    // A refusal that retrying cannot change (bad key, unknown model): say so. Anything else, the queue retries.
    if (!(err instanceof ModelCallError) || err.transient) throw err
    return fail(`No metadata was extracted, so the metadata was left as it was: ${err.message}`, meter.usage())
  } finally {
    // Against the file's uploader, answered or not: a failed call that reported tokens spent them.
    await recordUsage(deps.d1, file, meterMeasures(meter))
  }
  const usage = meter.usage()
  const parsed = parseExtractedMetadata(answer)
  if (!parsed.ok) return fail(parsed.reason, usage)

  const keep = new Set(state.keep)
  const patch = Object.fromEntries(Object.entries(parsed.values).filter(([key]) => !keep.has(key)))
  const kept = Object.keys(parsed.values).filter((key) => keep.has(key))
  const set = Object.keys(patch)
  const doneState: ExtractionState = { ...state, status: 'done', details: describeExtraction(set, kept), keys: set, usage }
  if (await finish(deps, job.fileId, doneState, { file: at, patch })) return
  // Not merged: either a newer request replaced this one meanwhile (then nothing is owed), or it would not fit.
  const now = readExtractionState((await deps.d1.prepare('SELECT instructions FROM files WHERE id = ?1').bind(job.fileId).first<{ instructions: string | null }>())?.instructions ?? null)
  if (now?.request === state.request && now.status === 'queued') {
    await fail(`The model's answer was not used, so the metadata was left as it was: with it the metadata would be larger than ${MAX_METADATA_BYTES / 1024} KB.`, usage)
  }
}

/** For a job that reached the dead-letter queue: the request failed; the file itself is fine. */
export async function abandonExtraction(deps: ExtractionDeps, job: ExtractMetadataJob): Promise<void> {
  const file = await deps.d1.prepare('SELECT instructions FROM files WHERE id = ?1').bind(job.fileId).first<{ instructions: string | null }>()
  const state = readExtractionState(file?.instructions ?? null)
  if (!state || state.request !== job.request || state.status !== 'queued') return
  await finish(deps, job.fileId, { ...state, status: 'failed', details: GAVE_UP })
}
