/**
 * @module What a tool call answers: text for the model to read (and structured content for programs),
 * or a refusal as an MCP tool error (`isError: true`) with a sentence. The domains' typed errors become
 * their own sentences here; anything else is logged and answered plainly, never as a transport failure.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { FileError } from '../files/errors'
import { FilterSyntaxError } from '../filter'
import { QuestionError } from '../search'
import { TenancyError } from '../tenancy/errors'

/** The errors whose message is already a sentence for the person who asked. */
const REFUSALS = [TenancyError, FileError, QuestionError, FilterSyntaxError] as const

/** A tool's answer: a text for the model, and the same facts as an object for programs. */
export function answered(text: string, structured?: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text }], ...(structured && { structuredContent: structured }) }
}

/** A refusal the model can read and act on. */
export function refused(sentence: string): CallToolResult {
  return { content: [{ type: 'text', text: sentence }], isError: true }
}

/**
 * Runs a tool's body; a domain's refusal becomes a tool error with its sentence.
 * @example server.registerTool('get_file', config, (args) => toolCall(() => getFile(caller, args)))
 */
export async function toolCall(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run()
  } catch (err) {
    if (REFUSALS.some((kind) => err instanceof kind)) return refused((err as Error).message)
    console.error('mcp tool failed', err)
    return refused('Cairn hit an internal error running this tool; it has been logged. Try again, or report it if it keeps happening.')
  }
}
