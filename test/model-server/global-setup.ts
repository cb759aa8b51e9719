/**
 * Starts the scripted OpenAI-compatible model server once per test run and hands its URL to the tests
 * in workerd: `inject('modelServerUrl')`.
 */
import type { TestProject } from 'vitest/node'
import { startModelServer } from './server'

export default async function setup(project: TestProject) {
  const server = await startModelServer()
  project.provide('modelServerUrl', server.url)
  return () => server.close()
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>`; the OpenAI-compatible base URL is this plus `/v1`. */
    modelServerUrl: string
  }
}
