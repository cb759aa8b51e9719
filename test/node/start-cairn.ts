/**
 * @module Cairn for end-to-end tests, started as a user starts it: `npm start -- --port P --persist-to DIR`
 * on a free port with a state folder of its own, resolved with the URL and the tokens it prints.
 * Also the small things those tests share: waiting for readiness, uploading and waiting for `processed`.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '../..')

export type RunningCairn = {
  base: string
  /** The one-time console sign-in link `npm start` printed, if it printed one. */
  signInLink: string | null
  /** The ready-made user's token (org `local`). */
  token: string
  admin: string
  /** Everything `npm start` and wrangler printed so far, for failure messages. */
  output(): string
  stop(): Promise<void>
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** `args` go to `npm start` after its own (e.g. `--var NAME:value`); `env` adds to the environment. */
export async function startCairn(options: { args?: string[]; env?: Record<string, string> } = {}): Promise<RunningCairn> {
  const port = await freePort()
  const persistTo = mkdtempSync(path.join(tmpdir(), 'cairn-e2e-'))
  const child = spawn('npm', ['start', '--', '--port', String(port), '--persist-to', persistTo, ...(options.args ?? [])], {
    cwd: root,
    env: { ...process.env, ADMIN_TOKEN: '', ...options.env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const stop = (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
    return new Promise((resolve) => {
      child.on('exit', () => resolve())
      try {
        process.kill(-child.pid!, 'SIGTERM')
      } catch {
        resolve()
      }
    })
  }
  const started = await new Promise<{ token: string; admin: string }>((resolve, reject) => {
    const onData = (d: Buffer) => {
      output += d
      const token = /User .* token: (cairn_[A-Za-z0-9_-]+)/.exec(output)
      const admin = /Admin token \(local[^)]*\): (cairn_admin_[A-Za-z0-9_-]+)/.exec(output)
      if (output.includes('Try it:') && token && admin) resolve({ token: token[1]!, admin: admin[1]! })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)))
  })
  const signInLink = /Console: (http\S+#code=\S+)/.exec(output)?.[1] ?? null
  return { base: `http://localhost:${port}`, signInLink, ...started, output: () => output, stop }
}

/**
 * Waits until Cairn answers `/health` with 200. wrangler dev reloads the Workers when a source file
 * changes, and others edit the tree while tests run; a step that must not meet a reload waits first.
 */
export async function waitUntilReady(base: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if ((await fetch(`${base}/health`)).status === 200) return
    } catch {}
    if (Date.now() > deadline) throw new Error(`${base}/health did not answer 200 within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
}

type FileView = { id: string; status: string; status_details: string | null }

/** Polls `GET /files/{id}` until the file is `processed` (or `error`, which throws with its details). */
export async function waitUntilProcessed(base: string, token: string, fileId: string, timeoutMs = 90_000): Promise<FileView> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const res = await fetch(`${base}/files/${fileId}`, { headers: { authorization: `Bearer ${token}` } }).catch(() => null)
    if (res?.status === 200) {
      const file = (await res.json()) as FileView
      if (file.status === 'processed') return file
      if (file.status === 'error') throw new Error(`${fileId} ended in error: ${file.status_details}`)
    }
    if (Date.now() > deadline) throw new Error(`${fileId} was not processed within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** The characters of `text` from `start` to `end`, counted in code points as the annotations count them. */
export const codePointSlice = (text: string, start: number, end: number) => [...text].slice(start, end).join('')
