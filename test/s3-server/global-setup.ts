/**
 * Starts a real S3-compatible server (s3rver, its store in a temporary folder) on 127.0.0.1 once per test
 * run and hands its URL to the tests in workerd: `inject('s3Url')`. Its keys are s3rver's own, `S3RVER` /
 * `S3RVER`; every request must be signed with them (sigv4-check.ts), as a private bucket on S3 demands.
 * Tests create their own buckets (test/support/s3-objects.ts), so they never see each other's objects.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import S3rver from 's3rver'
import type { TestProject } from 'vitest/node'
import { checkSignature, refusalXml } from './sigv4-check'

/** s3rver's built-in account: the only access key it knows, and its secret. */
const SECRETS = new Map([['S3RVER', 'S3RVER']])

export default async function setup(project: TestProject) {
  const directory = await mkdtemp(path.join(tmpdir(), 'cairn-s3rver-'))
  const s3rver = new S3rver({ silent: true, directory, configureBuckets: [{ name: 'cairn-test', configs: [] }] })
  await s3rver.configureBuckets()
  const handle = s3rver.callback()
  const server = createServer((request, response) => {
    const refusal = checkSignature(request, SECRETS)
    if (!refusal) return handle(request, response)
    response.writeHead(refusal.status, { 'content-type': 'application/xml' }).end(refusalXml(refusal))
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  project.provide('s3Url', `http://127.0.0.1:${port}`)
  return async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await rm(directory, { recursive: true, force: true })
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>`: s3rver, path-style, keys `S3RVER` / `S3RVER`, bucket `cairn-test` made at start. */
    s3Url: string
  }
}
