/**
 * @module The `search` tool: `l0-retrieval` over MCP. The same question reading (filter and top_k),
 * the same workspace rule and the same hybrid search as `POST /chat/completions` with `l0-retrieval`.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { evidenceFields, readQuestion, searchWorkspace, type RetrievedChunk } from '../../search'
import { completionId } from '../../agent/run-id'
import { recordAnswer } from '../../audit/answers'
import { authorizeWorkspace } from '../../tenancy/workspace-access'
import { meteredWork } from '../../usage/metered'
import type { McpCaller } from '../caller'
import { placeOf } from '../location'
import { chunkFilterArg, topKArg, workspaceArg, workspaceOf } from '../schemas'
import { answered, toolCall } from '../tool-result'

const DESCRIPTION = `Search the user's files in Cairn for passages about a question (hybrid keyword and semantic search, best first). \
Each result gives the file (id and name), where the passage stands (page, slide, sheet and rows, or seconds of a recording), a score and the passage's text. \
Use it to find facts and where they are written; quote the file and page when you use a passage. \
For an answer written from the files with checked citations, use \`ask\` instead.`

const inputSchema = {
  query: z.string().min(1).max(4000).describe('What to look for, in words: a question or keywords.'),
  filter: chunkFilterArg,
  top_k: topKArg,
  workspace: workspaceArg,
}

/** One result as the model reads it. */
function resultText(e: RetrievedChunk, n: number): string {
  const fields = evidenceFields(e)
  const place = placeOf(fields)
  return `[${n}] ${fields.filename}${place ? `, ${place}` : ''} (file_id ${fields.file_id}, score ${fields.score.toFixed(3)})\n${e.text}`
}

export function registerSearch(server: McpServer, caller: McpCaller): void {
  server.registerTool('search', { title: 'Search files', description: DESCRIPTION, inputSchema, annotations: { readOnlyHint: true } }, (args) =>
    toolCall(async () => {
      const { user, deps } = caller
      const workspaceId = workspaceOf(args.workspace)
      await authorizeWorkspace(deps.db, user, workspaceId, 'reader')
      // Read as a chat question is, so the filter and top_k follow the same rules as l0-retrieval's.
      const question = readQuestion([{ role: 'user', content: [{ type: 'filter', filter: args.filter ?? null, top_k: args.top_k ?? null }, { type: 'text', text: args.query }] }])
      const request = { orgId: user.orgId, workspaceId, query: question.text, filter: question.filter, topK: question.topK }
      const found = await meteredWork(deps, { orgId: user.orgId, userId: user.userId, workspaceId }, (metered) => searchWorkspace(metered, request))
      await recordAnswer(deps, {
        orgId: user.orgId,
        workspaceId,
        userId: user.userId,
        email: user.email,
        completionId: completionId(),
        model: 'mcp:search',
        question: question.text,
        answer: found.map((e) => e.text).join('\n\n'),
        cited: found.map(evidenceFields),
        outcome: 'answered',
      })
      const results = found.map((e) => ({ ...evidenceFields(e), text: e.text }))
      const text = found.length === 0 ? `Nothing in workspace "${workspaceId}" matches "${args.query}"${args.filter ? ` with the filter ${args.filter}` : ''}.` : found.map((e, i) => resultText(e, i + 1)).join('\n\n')
      return answered(text, { results })
    }),
  )
}
