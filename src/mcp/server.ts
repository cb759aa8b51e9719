/**
 * @module Cairn as an MCP server: its five tools, registered for one caller. A server is built per
 * request (the transport is stateless), so a tool only ever acts for the user whose token came with it.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { McpCaller } from './caller'
import { registerAsk } from './tools/ask'
import { registerFileTools } from './tools/files'
import { registerReadPage } from './tools/read-page'
import { registerSearch } from './tools/search'

const INSTRUCTIONS = `Cairn holds the user's files (PDFs, Office documents, spreadsheets, pictures, recordings) and answers from them with citations to the page. \
Use \`ask\` for an answer with checked citations, \`search\` to find passages yourself, \`read_page\` to read around a passage, and \`list_files\` / \`get_file\` to see what is there. \
Cite files by name and page when you use what they say.`

export function cairnMcpServer(caller: McpCaller): McpServer {
  const server = new McpServer({ name: 'cairn', version: '0.1.0' }, { instructions: INSTRUCTIONS, capabilities: { tools: {} } })
  registerSearch(server, caller)
  registerAsk(server, caller)
  registerFileTools(server, caller)
  registerReadPage(server, caller)
  return server
}
