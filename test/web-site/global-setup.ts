/**
 * Starts the test website (server.ts) once per test run and hands its URL to the tests in workerd:
 * `inject('webSiteUrl')`.
 */
import type { TestProject } from 'vitest/node'
import { startWebSite } from './server'

export default async function setup(project: TestProject) {
  const site = await startWebSite()
  project.provide('webSiteUrl', site.url)
  return () => site.close()
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>`; each test crawls its own site under `/<site>/`. */
    webSiteUrl: string
  }
}
