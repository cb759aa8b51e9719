/**
 * @module The research tools the reasoning model may call, typed with zod for the AI SDK's tool
 * loop. Each stays inside the run's scope (org, workspace, the question's filter), adds what it
 * finds to the evidence book, says what it is doing in the reasoning trace, and answers the model
 * with numbered passages. A tool that fails answers with the failure, so the model can go on.
 */
import { tool, type ToolSet } from 'ai'
import { z } from 'zod'
import { FilterSyntaxError, parseFilter, type FilterNode } from '../filter'
import type { PageRendering } from '../ingest/perception/page-pictures'
import type { VisionModel } from '../models/ports'
import type { SearchScope, WorkspaceReader } from '../search'
import type { Budget } from './budget'
import { locate, renderEvidenceList, type EvidenceBook } from './evidence-book'
import { lookAtPage } from './look-at-page'

export type ToolContext = {
  /** Every search and read goes through the run's reader; page pictures come from `blobs` or `pageRendering`. */
  deps: { reader: WorkspaceReader; blobs: R2Bucket; vision: VisionModel | null; pageRendering: PageRendering | null }
  scope: SearchScope
  book: EvidenceBook
  budget: Budget
  /** Adds a line to the visible reasoning trace. */
  narrate: (line: string) => void
  /** How many files the scope holds, for the narration. */
  fileCount: number
}

const quoted = (queries: readonly string[]) => queries.map((q) => `'${q}'`).join(', ')

/**
 * The run's scope narrowed by a tool call's own filter (ANDed with the question's), or the sentence
 * the model is told when that filter does not parse.
 */
function narrowed(scope: SearchScope, expression: string | undefined): SearchScope | string {
  if (!expression?.trim()) return scope
  let extra: FilterNode
  try {
    extra = parseFilter(expression, { chunkAttributes: true })
  } catch (err) {
    if (err instanceof FilterSyntaxError) return `The filter is not valid: ${err.message}`
    throw err
  }
  return { ...scope, filter: scope.filter ? { kind: 'and', operands: [scope.filter, extra] } : extra }
}

/** What the model is told when the book is full: answer with what it has. */
const FULL = 'The evidence budget for this question is used up: answer with the passages you have.'

function newPassages(ctx: ToolContext, found: Parameters<EvidenceBook['add']>[0]): string {
  const before = ctx.book.size
  const { entries } = ctx.book.add(found)
  if (entries.length === 0) return ctx.book.full ? FULL : 'Nothing found.'
  const fresh = entries.filter((e) => e.n > before)
  const again = [...new Set(entries.filter((e) => e.n <= before).map((e) => `[${e.n}]`))]
  const parts = [renderEvidenceList(fresh)]
  if (again.length > 0) parts.push(`Found again: ${again.join(', ')}.`)
  if (ctx.book.full) parts.push(FULL)
  return parts.filter(Boolean).join('\n\n')
}

const LOOK =
  'Look at the picture of a PDF page, or at an uploaded image, and ask about what it shows: figures, diagrams, charts, annotated dimensions, tables, scans, photos. Give a passage number (its page or image is used), or a file id and, for a PDF, a page. The answer becomes a numbered passage you can cite.'
/** An OCR engine as the vision model answers every question with the words it reads: the agent should know. */
const LOOK_BY_OCR =
  'Read the words printed on the picture of a PDF page, or on an uploaded image, with OCR: labels, numbers and text in scans, charts and diagrams. It returns the text it reads, whatever you ask, and cannot describe shapes, colours or what a picture shows. Give a passage number (its page or image is used), or a file id and, for a PDF, a page. The answer becomes a numbered passage you can cite.'

export function researchTools(ctx: ToolContext): ToolSet {
  const { reader, vision } = ctx.deps
  return {
    // Only with a vision model: without one nothing could look at a page picture.
    ...(vision && {
      look_at_page: tool({
        description: vision.readsTextOnly ? LOOK_BY_OCR : LOOK,
        inputSchema: z.object({
          passage: z.number().int().min(1).optional(),
          file_id: z.string().max(100).optional(),
          page: z.number().int().min(1).optional(),
          question: z.string().min(1).max(1000).describe('What to look for on the page'),
        }),
        execute: async ({ passage, file_id, page, question }, { abortSignal }) => {
          const anchor = passage !== undefined ? ctx.book.get(passage) : undefined
          if (passage !== undefined && !anchor) return `There is no passage [${passage}].`
          const fileId = file_id ?? anchor?.hit.fileId
          const pageNumber = page ?? anchor?.hit.page ?? undefined
          if (!fileId) return 'Give a passage number, or a file id and (for a PDF) a page.'
          const seen = await lookAtPage({ ...ctx.deps, vision }, ctx.scope, fileId, pageNumber ?? null, question, {
            narrate: ctx.narrate,
            ...(abortSignal ? { signal: abortSignal } : {}),
          })
          return typeof seen === 'string' ? seen : newPassages(ctx, [seen])
        },
      }),
    }),
    search: tool({
      description:
        'Search the files for passages. Give one query per sub-question; they run in parallel. An optional filter narrows the files, e.g. "metadata.year >= 2020", "filename like \'%.pdf\'", "page <= 10".',
      inputSchema: z.object({
        queries: z.array(z.string().min(1).max(500)).min(1).max(4),
        filter: z.string().max(2000).optional().describe('A Cairn filter expression, combined with the question\'s own filter'),
      }),
      execute: async ({ queries, filter }) => {
        const scope = narrowed(ctx.scope, filter)
        if (typeof scope === 'string') return scope
        ctx.narrate(`Searching ${quoted(queries)} in ${ctx.fileCount} file${ctx.fileCount === 1 ? '' : 's'}${filter ? ` (filter: ${filter})` : ''}.`)
        const lists = await Promise.all(queries.map((query) => reader.search({ ...scope, query, topK: ctx.budget.searchTopK })))
        const before = ctx.book.size
        const answer = newPassages(ctx, lists.flat())
        const added = ctx.book.all().slice(before)
        ctx.narrate(added.length > 0 ? `Found ${added.length} new passage${added.length === 1 ? '' : 's'}: ${[...new Set(added.map((e) => locate(e.hit)))].slice(0, 6).join('; ')}.` : 'Found nothing new.')
        return answer
      },
    }),
    read_page: tool({
      description:
        'Open a whole page or slide, or the passages around one: give a passage number to read around it, or a file id and page.',
      inputSchema: z.object({
        passage: z.number().int().min(1).optional().describe('A passage number [n] already found'),
        file_id: z.string().max(100).optional(),
        page: z.number().int().min(1).optional(),
      }),
      execute: async ({ passage, file_id, page }) => {
        const anchor = passage !== undefined ? ctx.book.get(passage) : undefined
        if (passage !== undefined && !anchor) return `There is no passage [${passage}].`
        const fileId = file_id ?? anchor?.hit.fileId
        const pageNumber = page ?? anchor?.hit.page ?? undefined
        if (!fileId) return 'Give a passage number, or a file id and a page.'
        let found
        if (pageNumber !== undefined) {
          const name = anchor?.hit.filename ?? fileId
          ctx.narrate(`Reading ${/\.pptx$/i.test(name) ? 'slide' : 'page'} ${pageNumber} of ${name}.`)
          found = await reader.readPage(ctx.scope, fileId, pageNumber)
        } else if (anchor) {
          ctx.narrate(`Reading around passage [${anchor.n}] in ${anchor.hit.filename}.`)
          found = await reader.readAround(ctx.scope, anchor.hit.chunkId, 2)
        } else {
          return 'This file has no pages: give a passage number to read around it.'
        }
        return found.length === 0 ? 'Nothing there (no such page in the files you may search).' : newPassages(ctx, found)
      },
    }),
    list_files: tool({
      description: 'List the files you may search, with their ids, page counts and metadata (newest first, at most 50).',
      inputSchema: z.object({ filter: z.string().max(2000).optional() }),
      execute: async ({ filter }) => {
        const scope = narrowed(ctx.scope, filter)
        if (typeof scope === 'string') return scope
        ctx.narrate(`Listing the files${filter ? ` matching ${filter}` : ''}.`)
        const { files, total } = await reader.listFiles(scope)
        if (files.length === 0) return 'No files.'
        const lines = files.map((f) => `- ${f.filename} (id ${f.file_id}${f.pages ? `, ${f.pages} pages` : ''}${Object.keys(f.metadata).length ? `, metadata ${JSON.stringify(f.metadata)}` : ''})`)
        return `${total} file${total === 1 ? '' : 's'}${total > files.length ? `, the newest ${files.length} shown` : ''}:\n${lines.join('\n')}`
      },
    }),
  }
}
