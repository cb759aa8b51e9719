/**
 * @module The Streamable HTTP transport of the MCP specification, stateless: each POST gets a fresh
 * server and transport that answer its JSON-RPC message (as SSE, so progress notifications can go out
 * before the result) and are gone. Built on the official SDK's web-standard transport, which works on
 * Request and Response as workerd gives them.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { McpCaller } from './caller'
import { cairnMcpServer } from './server'

/**
 * The answer to one MCP request from an authenticated caller.
 * @example app.post('/mcp', (c) => answerMcp(c.req.raw, { user, deps, runs }))
 */
export async function answerMcp(request: Request, caller: McpCaller): Promise<Response> {
  const server = cairnMcpServer(caller)
  // No session id: every request stands alone, so any isolate can answer any request.
  const transport = new WebStandardStreamableHTTPServerTransport({})
  await server.connect(transport)
  return transport.handleRequest(request)
}
