/**
 * @module One ingest message, end to end: plan the file (a big PDF fans out into page-range
 * messages), parse its part, let models perceive what text extraction cannot (page renders and
 * vision for PDFs, images, recordings), chunk it, embed the chunks, store them and count the part.
 * Damaged files end in `error` with a plain sentence; anything else is thrown for the queue to retry.
 * Each message stamps the file's progress as it works (progress.ts), so the ingest sweep can tell a
 * file whose message was lost from one still being read.
 */
import { eq } from 'drizzle-orm'
import { files } from '../db/schema'
import type { Ports } from '../ports'
import { markProcessing, recordPlan, touchProgress } from '../files/lifecycle'
import { UsageMeter } from '../models/usage'
import { chunkSegments } from './chunker'
import { storePart } from './chunk-store'
import { embedChunks } from './embed-step'
import { isIngestError } from './errors'
import { failFile } from './fail-file'
import { pagesPerMessage, queueUnfinishedParts } from './fan-out'
import type { FileKind } from './file-type'
import type { IngestJob } from './jobs'
import { resolveLimits, type Limits } from './limits'
import { parseDocument } from './parsers/registry'
import { pdfPageCount, planPageRanges, type PageRange } from './parsers/pdf'
import { perceiveMedia, type MediaKind } from './perception/media-file'
import { withHeartbeat } from './progress'
import type { PartPerception } from './perception/part-note'
import { startPdfPerception } from './perception/pdf-perception'
import { readSlidePictures } from './perception/slide-pictures'
import { addPerceptionUsage } from './perception/perception-usage'
import type { Segment } from './segment'
import { discardPageLayouts, storePageLayouts } from '../search/layout-store'
import { meterMeasures } from '../usage/measures'
import { recordUsage } from '../usage/record'

export type IngestDeps = Pick<Ports, 'db' | 'd1' | 'index' | 'blobs' | 'ingestQueue' | 'config' | 'models' | 'vectors'>
type FileRow = typeof files.$inferSelect

export type IngestOptions = { limits?: Partial<Limits> }

/** Handles one message. Resolves when it is done with (acknowledge it); rejects when a retry may help. */
export async function ingest(deps: IngestDeps, job: IngestJob, options: IngestOptions = {}): Promise<void> {
  const file = await deps.db.select().from(files).where(eq(files.id, job.fileId)).get()
  // Deleted, failed, or (for a redelivered planning message) already done: nothing to do.
  if (!file || file.status === 'error') return
  if (job.part === undefined && file.status === 'processed') return
  // A part with its row was stored whole: its chunks, vectors and renders were written before the
  // row, in one batch with the chunks. A redelivery, or the sweep queuing a part twice, skips it.
  if (job.part !== undefined && (await partFinished(deps.d1, file.id, job.part))) return
  // The same pages per message the sweep recomputes ranges with (fan-out.ts).
  const limits = resolveLimits({ maxPagesPerMessage: pagesPerMessage(deps.config), ...options.limits })
  try {
    await withHeartbeat(deps.d1, file.id, () => (job.part === undefined ? planAndStart(deps, file, limits) : runPart(deps, file, job.part, job.pages, limits)))
  } catch (err) {
    if (!isIngestError(err)) throw err
    await failFile(deps, file.id, err.reason)
  }
}

async function partFinished(d1: D1Database, fileId: string, part: number): Promise<boolean> {
  return (await d1.prepare('SELECT 1 FROM file_parts WHERE file_id = ?1 AND part = ?2').bind(fileId, part).first()) !== null
}

async function readBytes(deps: IngestDeps, file: FileRow): Promise<Uint8Array | null> {
  const object = await deps.blobs.get(file.blobKey)
  return object ? new Uint8Array(await object.arrayBuffer()) : null
}

/** The first message of a file: mark it processing, size it up, and either fan out or parse it whole. */
async function planAndStart(deps: IngestDeps, file: FileRow, limits: Limits): Promise<void> {
  await markProcessing(deps.d1, file.id)
  const bytes = await readBytes(deps, file)
  if (!bytes) return
  if (file.kind !== 'pdf') {
    // A deck's slide pictures share the vision budget of a PDF's pages.
    await recordPlan(deps.d1, file.id, { parts: 1, pages: null, pageBudget: file.kind === 'pptx' ? pageBudget(deps) : null })
    return parseAndStore(deps, file, bytes, 0, undefined, limits)
  }
  const pageCount = await pdfPageCount(bytes.slice(), limits)
  const ranges = planPageRanges(pageCount, limits.maxPagesPerMessage)
  await recordPlan(deps.d1, file.id, { parts: Math.max(ranges.length, 1), pages: pageCount, pageBudget: pageBudget(deps) })
  if (ranges.length <= 1) return parseAndStore(deps, file, bytes, 0, ranges[0], limits)
  // Each range is its own message, so no invocation holds the whole document's text or CPU. A
  // planning message delivered again (a retry, the sweep) sends only the parts still missing.
  await queueUnfinishedParts(deps, file, ranges)
}

const pageBudget = (deps: IngestDeps) => (deps.models.vision ? deps.config.visionPagesPerFile : 0)

async function runPart(deps: IngestDeps, file: FileRow, part: number, pages: PageRange | undefined, limits: Limits): Promise<void> {
  await touchProgress(deps.d1, file.id)
  const bytes = await readBytes(deps, file)
  if (!bytes) return
  await parseAndStore(deps, file, bytes, part, pages, limits)
}

async function parseAndStore(deps: IngestDeps, file: FileRow, bytes: Uint8Array, part: number, pages: PageRange | undefined, limits: Limits): Promise<void> {
  // Vision, speech and embedding tokens of this message, counted even when a later step fails.
  const meter = new UsageMeter()
  const models = deps.models.metered(meter)
  // A PDF's pages are rendered before pdf.js takes the bytes (PDFium keeps its own copy).
  const pdf =
    file.kind === 'pdf'
      ? await startPdfPerception({ d1: deps.d1, blobs: deps.blobs, models, budget: deps.config.visionPagesPerFile }, file.id, bytes, pages ?? { from: 1, to: limits.maxPages })
      : null
  // The pages whose layouts this message may have written, to take back if the file fails or goes.
  let layoutPages: number[] = []
  try {
    const outcome = await parseDocument(bytes, file.kind as FileKind, pages ? { limits, pages } : { limits })
    const pageCount = pages ? pages.to - pages.from + 1 : 0
    if (pdf && outcome.status === 'parsed') {
      const range = pages ?? { from: 1, to: outcome.result.pageCount ?? 0 }
      const layouts = outcome.result.layouts ?? []
      layoutPages = layouts.map((l) => l.page)
      // Before the chunks: the part that completes the file makes its citations readable, boxes and all.
      await storePageLayouts(deps.blobs, file.id, range, layouts)
      delete outcome.result.layouts
    }
    let segments: Segment[]
    let perceived: string | null = null
    let perception: PartPerception | null = null
    if (outcome.status === 'needs-model') ({ segments, note: perceived } = await perceiveMedia(models, bytes, file.kind as MediaKind))
    else if (pdf) ({ segments, note: perceived, perception } = await pdf.read(outcome.result))
    else if (outcome.result.pictures?.length) ({ segments, note: perceived, perception } = await readSlidePictures({ d1: deps.d1, models, budget: deps.config.visionPagesPerFile }, file.id, outcome.result))
    else segments = outcome.result.segments
    const chunks = chunkSegments(segments, { fileId: file.id })
    // Vectors first: the part that completes the file marks it processed, and then they must be there.
    const embedded = await embedChunks({ ...deps, models }, file, chunks)
    const note = [perceived, embedded.note].filter(Boolean).join(' ') || null
    const pageTotal = pageCount || (outcome.status === 'parsed' ? (outcome.result.pageCount ?? 0) : 0)
    const stored = await storePart(deps, file, part, pageTotal, chunks, note, perception, outcome.status === 'parsed')
    await embedded.settle(stored.status)
    // The file was deleted or failed meanwhile: its renders and layouts go too.
    if (stored.status !== 'processing' && stored.status !== 'processed') {
      await pdf?.discardRenders()
      await discardPageLayouts(deps.blobs, file.id, layoutPages)
    }
  } catch (err) {
    // A failed file keeps no renders or layouts; a retried part writes them again.
    await pdf?.discardRenders()
    await discardPageLayouts(deps.blobs, file.id, layoutPages)
    throw err
  } finally {
    pdf?.close()
    await addPerceptionUsage(deps.d1, file.id, meter)
    // Against the file's uploader (a source's files are its creator's). A retry spends, and counts, anew;
    // a part already stored is skipped before any model call (`partFinished`), so it counts nothing.
    await recordUsage(deps.d1, file, meterMeasures(meter))
  }
}
