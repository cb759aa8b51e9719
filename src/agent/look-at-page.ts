/**
 * @module The agent looking at a page of a PDF: the page's picture (kept in R2 if ingestion or an
 * earlier look drew it, else drawn now by the ingest Worker) goes to the vision model with the
 * agent's question, and the answer becomes evidence of that page, citable like any passage. For
 * what text extraction misses: diagrams with annotated dimensions, charts, tables, scans.
 */
import type { ChunkHit, SearchScope } from '../search/chunk-hits'
import type { VisionModel } from '../models/ports'
import { pagePicture, type PageRendering } from '../ingest/perception/page-pictures'
import { readPage } from './reading'

export type LookDeps = { d1: D1Database; blobs: R2Bucket; vision: VisionModel; pageRendering: PageRendering | null }

/** Output tokens of one look; an answer about a page, not an essay. */
const LOOK_TOKENS = 600

function lookPrompt(question: string): string {
  return `This is one page of a document. ${question}\nAnswer from what the page shows, quoting labels, figures and units exactly as printed. If the page does not show it, say so.`
}

/**
 * The vision model's answer as a hit on that page, or a sentence for the model when the page
 * cannot be looked at (outside the scope, no such page, not a PDF, not drawable).
 */
export async function lookAtPage(
  deps: LookDeps,
  scope: SearchScope,
  fileId: string,
  page: number,
  question: string,
  options: { narrate: (line: string) => void; signal?: AbortSignal },
): Promise<ChunkHit | string> {
  // The page's own text chunks say the file is in scope and name it; a look may not go outside.
  const [onPage] = await readPage(deps.d1, scope, fileId, page)
  if (!onPage) return `There is no page ${page} in that file among the files you may search.`
  const file = await deps.d1.prepare('SELECT kind, blob_key AS blobKey FROM files WHERE id = ?').bind(fileId).first<{ kind: string; blobKey: string }>()
  if (file?.kind !== 'pdf') return `Only PDF pages can be looked at, and ${onPage.filename} is not a PDF; read it with read_page instead.`
  const picture = await pagePicture(deps.blobs, deps.pageRendering, { id: fileId, blobKey: file.blobKey }, page)
  if ('refused' in picture) return `Page ${page} of ${onPage.filename} cannot be looked at: ${picture.refused.replace(/\.$/, '')}. Read it with read_page instead.`
  options.narrate(`Looking at page ${page} of ${onPage.filename}: ${question.replace(/\s+/g, ' ').trim()}`)
  const answer = await deps.vision.describe({
    image: picture.png,
    mediaType: 'image/png',
    prompt: lookPrompt(question),
    maxOutputTokens: LOOK_TOKENS,
    ...(options.signal ? { signal: options.signal } : {}),
  })
  return {
    ...onPage,
    // One look per page and question: asking again gives the same passage number.
    chunkId: `${fileId}:p${page}:look:${hashOf(question)}`,
    text: answer.trim(),
    heading: null,
    modality: 'image',
    score: 0,
  }
}

function hashOf(text: string): string {
  let h = 2166136261
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619)
  return (h >>> 0).toString(36)
}
