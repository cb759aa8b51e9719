/**
 * @module The embedding step of ingestion: a part's chunks, each prefixed with where it comes from
 * (file name, heading path, page, sheet and rows, time range), embedded in batches and upserted to
 * the vector store under the chunk's id — so a redelivered part overwrites its vectors instead of
 * adding more. It runs before the part's chunks are stored, so a file never reads `processed` while
 * its vectors are missing; when the file was deleted meanwhile, `settle` takes the vectors back out.
 */
import type { Ports } from '../ports'
import { vectorFilterMetadata } from '../filter'
import { ModelCallError } from '../models/retry'
import { pageVectorId, type VectorRecord } from '../search/vector-store'
import { plainSentence } from './errors'
import type { Chunk } from './segment'

export type EmbedDeps = Pick<Ports, 'models' | 'vectors'>

type FileRef = { id: string; orgId: string; workspaceId: string; filename: string; purpose: string; createdAt: number }

export type EmbeddedPart = {
  /** For `status_details` when the model refused the part or could not be reached: it is then searchable by keywords only. */
  note: string | null
  /** Call with the file's status after the part was stored; removes the vectors if the file is gone. */
  settle(status: string | null): Promise<void>
}

/** Chunks embedded and upserted at a time, so a 100,000-row sheet never holds all its vectors at once. */
export const EMBED_SLICE = 500
/** The contextual prefix stays short: the chunker leaves ~100 tokens of a 512-token model's room. */
export const MAX_PREFIX_CHARS = 300

const nothing: EmbeddedPart = { note: null, settle: async () => {} }

/**
 * @example
 * const embedded = await embedChunks(deps, file, chunks)
 * const { status } = await storePart(deps, file, part, pages, chunks, embedded.note)
 * await embedded.settle(status)
 */
export async function embedChunks(deps: EmbedDeps, file: FileRef, chunks: readonly Chunk[]): Promise<EmbeddedPart> {
  const embedder = deps.models.embedding
  if (!embedder || chunks.length === 0) return nothing
  const space = { orgId: file.orgId, workspaceId: file.workspaceId }
  const written: string[] = []
  try {
    // Each chunk, then each page as a whole (search's page arm), under the page's first chunk.
    const texts = [...chunks.map((chunk) => ({ id: chunk.id, chunk, text: contextualText(file.filename, chunk) })), ...pageTexts(file.filename, chunks)]
    for (let i = 0; i < texts.length; i += EMBED_SLICE) {
      const slice = texts.slice(i, i + EMBED_SLICE)
      const values = await embedder.embed(slice.map((t) => t.text))
      const records: VectorRecord[] = slice.map(({ id, chunk }, j) => ({
        id,
        values: values[j]!,
        metadata: vectorFilterMetadata({ file_id: file.id, purpose: file.purpose, created_at: file.createdAt, modality: chunk.provenance.modality, page: chunk.provenance.page ?? null }),
      }))
      await deps.vectors.upsert(space, records)
      written.push(...slice.map((t) => t.id))
    }
  } catch (err) {
    // Two failures keep the part for keyword search, saying why semantic search will not find it:
    // - a refusal that retrying cannot change (bad key, unknown model, input it rejects);
    // - an endpoint that no attempt could connect to (refused, or lost mid-call). A configured endpoint
    //   counts too: locally it is the model server beside `npm start`, absent when no weights could be
    //   had or crashed, and the queue's retries (minutes) would only lead the file to the dead-letter
    //   queue and `error`, losing its keyword index with its vectors. Found by keywords now beats found
    //   by nothing; the note says what the file lacks, and uploading it again once the server is back
    //   embeds it.
    // Anything else (5xx, deadlines: a server that is there but struggling) is thrown for the queue to retry.
    if (!(err instanceof ModelCallError) || (err.transient && !err.unreachable)) throw err
    if (written.length > 0) await deps.vectors.delete(space, written)
    const note = err.unreachable
      ? `Indexed for keyword search only: nothing answered at the embedding endpoint (${err.message}). Upload the file again once it answers to make it searchable by meaning.`
      : `Indexed for keyword search only: ${err.message}`
    return { note: plainSentence(note), settle: nothing.settle }
  }
  return {
    note: null,
    async settle(status) {
      if (status !== 'processing' && status !== 'processed') await deps.vectors.delete(space, written)
    },
  }
}

/** A page's text for its own vector: enough for a 512-token model to read the page's opening in full. */
export const PAGE_TEXT_CHARS = 3000

/**
 * What the embedder reads for each page of the chunks (PDF pages, slides): the file, the page's title
 * and number, then its chunks' text in order, cut at PAGE_TEXT_CHARS — one vector per page, under its
 * first chunk's id (`pageVectorId`), so a question about a statement page finds the page even when no
 * single chunk of it says enough. Chunks without a page (Markdown, sheets, transcripts) have none.
 */
export function pageTexts(filename: string, chunks: readonly Chunk[]): Array<{ id: string; chunk: Chunk; text: string }> {
  const pages = new Map<number, { first: Chunk; text: string }>()
  for (const chunk of chunks) {
    const page = chunk.provenance.page
    if (page === undefined) continue
    const entry = pages.get(page)
    if (!entry) pages.set(page, { first: chunk, text: chunk.text })
    else if (entry.text.length < PAGE_TEXT_CHARS) entry.text += `\n${chunk.text}`
  }
  return [...pages].map(([page, { first, text }]) => {
    const title = first.provenance.heading?.length ? ` · ${first.provenance.heading.join(' > ')}` : ''
    return { id: pageVectorId(first.id), chunk: first, text: `${filename}${title} · page ${page}\n\n${text.slice(0, PAGE_TEXT_CHARS)}` }
  })
}

/** What the embedder reads for a chunk: where it comes from, a blank line, then its text. */
export function contextualText(filename: string, chunk: Chunk): string {
  const p = chunk.provenance
  const where = [filename]
  if (p.heading && p.heading.length > 0) where.push(p.heading.join(' > '))
  if (p.page !== undefined) where.push(`page ${p.page}`)
  if (p.sheet !== undefined) where.push(`sheet ${p.sheet}`)
  if (p.rows) where.push(`rows ${p.rows[0]}–${p.rows[1]}`)
  if (p.startTime !== undefined) where.push(`${clock(p.startTime)}–${clock(p.endTime ?? p.startTime)}`)
  let prefix = where.join(' · ')
  if (prefix.length > MAX_PREFIX_CHARS) prefix = `${prefix.slice(0, MAX_PREFIX_CHARS - 1)}…`
  return `${prefix}\n\n${chunk.text}`
}

const clock = (seconds: number) => {
  const s = Math.floor(seconds)
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`
}
