/**
 * @module Who is calling the MCP server and what their tools run on: the signed-in user, the ports the
 * REST routes use, and a way to start an `l0` run in its Durable Object. The HTTP mount builds one per
 * request; tools never see the request itself.
 */
import type { RunInput } from '../agent/run-types'
import { callerFor, type FileCaller } from '../files/access'
import type { Ports } from '../ports'
import type { UserPrincipal } from '../tenancy/principal'

/** Starts a run (once per id) and opens its log: JSON lines of `RunEvent`s, from the start, live until it ends. */
export type RunLauncher = {
  start(input: RunInput): Promise<ReadableStream<Uint8Array>>
}

export type McpCaller = {
  user: UserPrincipal
  deps: Ports
  runs: RunLauncher
}

/** The caller as the files domain sees them: their org, and tenancy's access rule bound to them. */
export function fileCallerOf({ user, deps }: McpCaller): FileCaller {
  return callerFor(deps.db, user)
}
