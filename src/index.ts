/**
 * @module The API Worker's entry: wires the app and exports the completion Durable Object.
 */
import { createApp, withV1Prefix } from './api/app'
import type { AppEnv } from './config'

export { CompletionRun } from './agent/completion-run'

const app = createApp()

export default {
  fetch: withV1Prefix(app),
} satisfies ExportedHandler<AppEnv>
