/**
 * The two-command start, as a new user runs it: `npm start -- --port P --persist-to DIR` applies the
 * migrations, serves both Workers, and prints a working user token; a restart on the same state reuses it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'

const root = path.resolve(import.meta.dirname, '../..')
let running: ChildProcess | null = null

function start(port: number, persistTo: string): Promise<{ output: string; token: string; admin: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['start', '--', '--port', String(port), '--persist-to', persistTo], {
      cwd: root,
      env: { ...process.env, ADMIN_TOKEN: '' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    running = child
    let output = ''
    const onData = (d: Buffer) => {
      output += d
      const token = /token: (cairn_[A-Za-z0-9_-]+)/.exec(output)
      const admin = /Admin token \(local[^)]*\): (cairn_admin_[A-Za-z0-9_-]+)/.exec(output)
      if (output.includes('Try it:') && token && admin) resolve({ output, token: token[1]!, admin: admin[1]! })
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)))
  })
}

function stop(): Promise<void> {
  const child = running
  running = null
  if (!child || child.exitCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.on('exit', () => resolve())
    process.kill(-child.pid!, 'SIGTERM')
  })
}

afterEach(stop)

describe('npm start', () => {
  it('serves Cairn on the given port with a ready-made user token, and keeps it across restarts', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000)
    const persistTo = mkdtempSync(path.join(tmpdir(), 'cairn-start-'))
    const first = await start(port, persistTo)
    const base = `http://localhost:${port}`
    expect(first.output).toContain(`Cairn is running at ${base}`)
    expect(first.output).toContain(`curl -s ${base}/v1/models -H "Authorization: Bearer ${first.token}"`)

    const models = await fetch(`${base}/v1/models`, { headers: { authorization: `Bearer ${first.token}` } })
    expect(models.status).toBe(200)
    expect(((await models.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toContain('activeloop-l0')
    const health = (await (await fetch(`${base}/health`)).json()) as { status: string }
    expect(health.status).toBe('ok')
    const asAdmin = await fetch(`${base}/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'second@example.com', org: 'local' }),
    })
    expect(asAdmin.status).toBe(200)

    await stop()
    const second = await start(port, persistTo)
    expect(second.token).toBe(first.token)
    expect(second.admin).toBe(first.admin)
    const again = await fetch(`${base}/workspaces`, { headers: { authorization: `Bearer ${second.token}` } })
    expect(again.status).toBe(200)
  })
})
