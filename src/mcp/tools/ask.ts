/**
 * @module The `ask` tool: the `l0` agent over MCP. The question becomes a run in its own Durable
 * Object, as `POST /chat/completions` with `l0` starts one; the tool reads the run's log to its end
 * and answers with the verified answer and its citations. While the run works, each step of its trace
 * goes to the client as a progress notification, when the client sent a progress token.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import type { FileCitation } from '../../agent/citations'
import { completionId } from '../../agent/run-id'
import { readEvents } from '../../agent/run-log'
import type { ChatCompletion, RunEvent, RunInput } from '../../agent/run-types'
import { readQuestion } from '../../search'
import { authorizeWorkspace } from '../../tenancy/workspace-access'
import type { McpCaller } from '../caller'
import { placeOf } from '../location'
import { chunkFilterArg, workspaceArg, workspaceOf } from '../schemas'
import { answered, refused, toolCall } from '../tool-result'

const DESCRIPTION = `Ask Cairn a question about the user's files. Cairn's research agent searches, reads pages and reasons in rounds, \
then writes an answer in which every [n] marker cites a passage it has checked: the answer comes with its citations (file, page, quote). \
It takes from a few seconds to a minute or two. Use \`search\` instead when you only need passages to read yourself.`

const inputSchema = {
  question: z.string().min(1).max(8000).describe('The question, in full sentences, as a person would ask it.'),
  filter: chunkFilterArg,
  effort: z.enum(['low', 'medium', 'high']).optional().describe('How many rounds of research the agent may do: low is quickest, high reads most (medium when left out).'),
  workspace: workspaceArg,
}

type Progress = (message: string) => Promise<void>

/** The answer, then its sources as the model should cite them. */
function answerText(completion: ChatCompletion): string {
  const { content, annotations } = completion.choices[0]!.message
  if (annotations.length === 0) return content
  const sources = annotations.map((a) => {
    const c = a.file_citation
    const place = placeOf(c)
    return `${a.text} ${c.filename}${place ? `, ${place}` : ''} (file_id ${c.file_id}): "${c.quote}"`
  })
  return `${content}\n\nSources:\n${[...new Set(sources)].join('\n')}`
}

function citationOf(a: FileCitation) {
  const { file_id, filename, page, sheet, rows, start_time, end_time, quote } = a.file_citation
  return { marker: a.text, file_id, filename, page, ...(sheet !== undefined && { sheet }), ...(rows && { rows }), ...(start_time !== undefined && { start_time, end_time }), quote }
}

/** Follows the run's log to its last event, telling `progress` each step of the trace. */
async function followRun(log: ReadableStream<Uint8Array>, progress: Progress | null, signal: AbortSignal): Promise<RunEvent | null> {
  const reader = log.getReader()
  // A client that cancels stops this reading; the run goes on in its object, as for REST.
  const stop = () => void reader.cancel().catch(() => {})
  signal.addEventListener('abort', stop)
  let last: RunEvent | null = null
  try {
    for await (const event of readEvents(reader)) {
      last = event
      if (event.type === 'reasoning' && progress && event.text.trim()) await progress(event.text.trim())
    }
  } finally {
    signal.removeEventListener('abort', stop)
  }
  return last
}

export function registerAsk(server: McpServer, caller: McpCaller): void {
  server.registerTool('ask', { title: 'Ask a question', description: DESCRIPTION, inputSchema, annotations: { readOnlyHint: true, openWorldHint: false } }, (args, extra) =>
    toolCall(async (): Promise<CallToolResult> => {
      const { user, deps } = caller
      const workspaceId = workspaceOf(args.workspace)
      await authorizeWorkspace(deps.db, user, workspaceId, 'reader')
      const messages = [{ role: 'user', content: args.question }]
      // Read as a chat question is, so the filter follows the same rules as it does for l0.
      const question = readQuestion([{ role: 'user', content: [{ type: 'filter', filter: args.filter ?? null }, { type: 'text', text: args.question }] }])
      const input: RunInput = {
        id: completionId(),
        created: Math.floor(Date.now() / 1000),
        model: 'l0',
        orgId: user.orgId,
        workspaceId,
        userId: user.userId,
        messages,
        question: { messageIndex: 0, text: question.text, filter: question.filterText, topK: null, images: [] },
        options: { effort: args.effort ?? 'medium', maxTokens: null, temperature: null, topP: null, seed: null, stop: [], store: false, metadata: {}, includeUsage: false },
      }
      const token = extra._meta?.progressToken
      let step = 0
      const progress: Progress | null =
        token === undefined
          ? null
          : (message) => extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: ++step, message } })
      const outcome = await followRun(await caller.runs.start(input), progress, extra.signal)
      if (outcome?.type === 'done') {
        const completion = outcome.completion
        return answered(answerText(completion), {
          completion_id: completion.id,
          answer: completion.choices[0]!.message.content,
          citations: completion.choices[0]!.message.annotations.map(citationOf),
        })
      }
      if (outcome?.type === 'failed') return refused(outcome.error.message)
      return refused(`The answer was not awaited to its end (the call was cancelled); the run ${input.id} goes on.`)
    }),
  )
}
