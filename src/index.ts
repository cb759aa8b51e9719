/**
 * @module The API Worker's entry and composition root: builds the ports once per env (deps.ts) and
 * hands them to the app and to the completion Durable Object it exports; a browser's `/` gets the console.
 */
import { CompletionRunObject } from './agent/completion-run'
import type { RunInput } from './agent/run-types'
import { createApp, withV1Prefix } from './api/app'
import { withConsole } from './api/console-assets'
import type { AppEnv } from './config'
import { buildDeps, type Deps } from './deps'

/** The completion Durable Object, on the ports this Worker builds. */
export class CompletionRun extends CompletionRunObject {
  protected override portsFor(input: RunInput): Deps {
    return buildDeps(this.appEnv(input))
  }

  /** The env the run's ports are built from (tests point a run's models at a scripted server). */
  protected appEnv(_input: RunInput): AppEnv {
    return this.env as unknown as AppEnv
  }
}

const app = createApp(buildDeps)

export default {
  fetch: withConsole(withV1Prefix(app)),
} satisfies ExportedHandler<AppEnv>
