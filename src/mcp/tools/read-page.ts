/**
 * @module The `read_page` tool: the text of a file's page (or slide), or of a few pages in a row,
 * through search's page reader, in reading order, after the files domain has found the file for
 * this caller.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { openFile } from '../../files/access'
import { fileCallerOf, type McpCaller } from '../caller'
import { fileIdArg, workspaceArg } from '../schemas'
import { answered, refused, toolCall } from '../tool-result'

/** Pages one call reads at most, so an answer stays small enough for a model's context. */
export const MAX_PAGES_PER_READ = 10

const DESCRIPTION = `Read the text of a page of a file (a slide of a deck), or of a run of up to ${MAX_PAGES_PER_READ} pages, in reading order. \
Use it to read around a passage that search found, or to read a page someone names. \
Files without pages (text, spreadsheets, recordings, pictures) are read whole by leaving \`page\` out.`

const inputSchema = {
  file_id: fileIdArg,
  page: z.number().int().min(1).optional().describe('The first page (or slide) to read, from 1. Leave it out for a file without pages.'),
  to_page: z.number().int().min(1).optional().describe(`The last page to read, for a run of pages (at most ${MAX_PAGES_PER_READ} in one call); leave it out to read one page.`),
  workspace: workspaceArg.describe('Only find the file in this workspace; leave it out to find it in any workspace you can read.'),
}

export function registerReadPage(server: McpServer, caller: McpCaller): void {
  server.registerTool('read_page', { title: 'Read a page', description: DESCRIPTION, inputSchema, annotations: { readOnlyHint: true } }, (args) =>
    toolCall(async () => {
      const row = await openFile(caller.deps.db, fileCallerOf(caller), args.file_id, args.workspace, 'reader')
      if (row.status !== 'processed') {
        return refused(`File "${row.filename}" (${row.id}) is ${row.status}${row.statusDetails ? ` (${row.statusDetails})` : ''}; its pages can be read once it is processed.`)
      }
      const first = args.page ?? null
      const last = first === null ? null : (args.to_page ?? first)
      if (first !== null && last !== null && (last < first || last - first >= MAX_PAGES_PER_READ)) {
        return refused(`to_page must be from page (${first}) to ${first + MAX_PAGES_PER_READ - 1}: one call reads at most ${MAX_PAGES_PER_READ} pages.`)
      }
      const scope = { orgId: caller.user.orgId, workspaceId: row.workspaceId }
      const reader = caller.deps.index
      const numbers = first === null || last === null ? [null] : Array.from({ length: last - first + 1 }, (_, i) => first + i)
      const pages = await Promise.all(numbers.map(async (page) => ({ page, text: (await reader.readPage(scope, row.id, page)).map((c) => c.text).join('\n\n') })))
      const found = pages.filter((p) => p.text !== '')
      if (found.length === 0) {
        const has = row.pagesTotal ? ` It has ${row.pagesTotal} page${row.pagesTotal === 1 ? '' : 's'}.` : first !== null ? ' It has no pages; leave page out to read it.' : ' Give a page number.'
        return refused(`File "${row.filename}" has no text on ${first === null ? 'its unpaged part' : last === first ? `page ${first}` : `pages ${first}–${last}`}.${has}`)
      }
      const text = found.map((p) => (p.page === null ? p.text : `--- ${row.filename}, page ${p.page} ---\n${p.text}`)).join('\n\n')
      return answered(text, { file_id: row.id, filename: row.filename, pages: found })
    }),
  )
}
