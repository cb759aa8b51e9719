/**
 * @module The agent looking at a page of a PDF, or at an uploaded image: the picture (a page kept in
 * R2 if ingestion or an earlier look drew it, else drawn now by the ingest Worker; an image prepared
 * there) goes to the vision model with the agent's question, and the answer becomes evidence of
 * that page or image, citable like any passage. For what text extraction and the description made
 * at ingestion miss: diagrams with annotated dimensions, charts, tables, scans.
 */
import type { ChunkHit, SearchScope, WorkspaceReader } from '../search'
import type { VisionModel } from '../models/ports'
import { pagePicture, PICTURE_KINDS, type PageRendering } from '../ingest/perception/page-pictures'

export type LookDeps = { reader: WorkspaceReader; blobs: R2Bucket; vision: VisionModel; pageRendering: PageRendering | null }

/** Output tokens of one look; an answer about a page, not an essay. */
const LOOK_TOKENS = 600

function lookPrompt(question: string, what: string): string {
  return `This is ${what}. ${question}\nAnswer from what it shows, quoting labels, figures and units exactly as printed. If it does not show it, say so.`
}

/**
 * The vision model's answer as a hit on that page (or image), or a sentence for the model when it
 * cannot be looked at (outside the scope, no such page, neither a PDF nor an image, not drawable).
 * `page` is needed for a PDF and ignored for an image.
 */
export async function lookAtPage(
  deps: LookDeps,
  scope: SearchScope,
  fileId: string,
  page: number | null,
  question: string,
  options: { narrate: (line: string) => void; signal?: AbortSignal },
): Promise<ChunkHit | string> {
  // Only the run's own workspace: another's files are not even said to exist. (readPage checks the rest of the scope.)
  const file = await deps.reader.pageSource(scope, fileId)
  const isImage = file?.kind === 'png' || file?.kind === 'jpeg'
  if (file?.kind === 'pdf' && page === null) return 'Give the page of the PDF to look at.'
  // The file's own chunks on that page say it is in scope and name it; a look may not go outside.
  const at = isImage ? null : page
  const [onPage] = await deps.reader.readPage(scope, fileId, at)
  if (!onPage) return at === null ? 'There is no such file among the files you may search.' : `There is no page ${at} in that file among the files you may search.`
  if (!file || !PICTURE_KINDS.has(file.kind)) return `Only PDF pages and images can be looked at, and ${onPage.filename} is neither; read it with read_page instead.`
  const what = at === null ? onPage.filename : `page ${at} of ${onPage.filename}`
  const picture = await pagePicture(deps.blobs, deps.pageRendering, { id: fileId, blobKey: file.blobKey, kind: file.kind }, at ?? 1)
  if ('refused' in picture) return `${what[0]!.toUpperCase()}${what.slice(1)} cannot be looked at: ${picture.refused.replace(/\.$/, '')}. Read it with read_page instead.`
  options.narrate(`Looking at ${what}: ${question.replace(/\s+/g, ' ').trim()}`)
  const answer = await deps.vision.describe({
    image: picture.image,
    mediaType: picture.mediaType,
    prompt: lookPrompt(question, at === null ? 'an image' : 'one page of a document'),
    maxOutputTokens: LOOK_TOKENS,
    ...(options.signal ? { signal: options.signal } : {}),
  })
  return {
    ...onPage,
    // One look per page and question: asking again gives the same passage number.
    chunkId: `${fileId}:${at === null ? '' : `p${at}:`}look:${hashOf(question)}`,
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
