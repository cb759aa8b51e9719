/**
 * @module `POST /mcp`: the MCP endpoint (Streamable HTTP, src/mcp/). The app's bearer-token middleware
 * has named the caller; this admits users only (as every data route does) and hands the request, the
 * caller's ports and a way to start `l0` runs to the MCP server. Other methods get 405 from the app's
 * route table, as the spec allows a server without a standing SSE stream or sessions.
 */
import { answerMcp } from '../../mcp/transport'
import type { RunLauncher } from '../../mcp/caller'
import { requireUser } from '../auth'
import type { App } from '../context'
import { resourceApp } from '../resource-app'

export const MCP_ROUTE = { method: 'POST', path: '/mcp' }

export function mcpRoutes(): App {
  const app = resourceApp()
  app.post(MCP_ROUTE.path, (c) => {
    const user = requireUser(c)
    const completions = c.env.COMPLETIONS
    const runs: RunLauncher = {
      // As chat-run.ts starts an l0 run: the object named by the run's id, then its log.
      async start(input) {
        const stub = completions.getByName(input.id)
        await stub.start(input)
        return stub.stream()
      },
    }
    return answerMcp(c.req.raw, { user, deps: c.get('deps'), runs })
  })
  return app
}
