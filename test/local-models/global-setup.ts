/**
 * Starts the local model server (local-models/serve.mjs) once per test run, for both projects, and
 * hands its URL to the tests: `inject('localModelsUrl')`, empty when the weights are not in the cache.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { modelsPresent, wantedModels } from '../../local-models/fetch-weights.mjs'

const root = path.resolve(import.meta.dirname, '../..')

type Shared = { url: Promise<string>; child?: ChildProcess; users: number }
// Both projects run this file in the one vitest process; they share one server (one model in memory).
const shared = globalThis as typeof globalThis & { __cairnLocalModels?: Shared }

function start(): Shared {
  const wanted = wantedModels()
  if (!modelsPresent(wanted)) {
    console.warn(`Local models: ${wanted.map((w) => w.spec).join(', ')} not in the cache; their tests are skipped (run \`npm run models:fetch\`).`)
    return { url: Promise.resolve(''), users: 0 }
  }
  const state: Shared = { users: 0, url: Promise.resolve('') }
  state.url = new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'local-models/serve.mjs'), '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
    state.child = child
    let output = ''
    const onData = (d: Buffer) => {
      output += d
      const ready = /ready at (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(output)
      if (ready) resolve(ready[1]!)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`the local model server exited (${code}) before it was ready:\n${output}`)))
  })
  return state
}

export default async function setup(project: TestProject) {
  const state = (shared.__cairnLocalModels ??= start())
  state.users++
  project.provide('localModelsUrl', await state.url)
  return () => {
    if (--state.users === 0) {
      state.child?.kill('SIGTERM')
      delete shared.__cairnLocalModels
    }
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the local model server (OpenAI base URL: plus `/v1`), or '' without weights. */
    localModelsUrl: string
  }
}
