/**
 * @module A throwaway `npm start` for scripts: on a free port and a fresh state folder, in its own
 * process group, ready once `/health` answers and the tokens are written; stopped whatever happens.
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** A port nothing listens on right now (the OS picks it; the race until wrangler binds it is harmless locally). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * Starts `npm start -- --port <port> --persist-to <fresh dir>` with its output in `logFile`.
 * Resolves once Cairn is ready, with its base URL, the tokens from `cairn-local.json` and `stop()`.
 */
export async function startLocalServer(root, { logFile, readyTimeoutMs = 240_000 } = {}) {
  const port = await freePort()
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'cairn-fuzz-state-'))
  const log = openSync(logFile, 'a')
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: process.env.CI ?? 'true' }
  // detached: its own process group (and session), so one signal reaches npm and start.mjs; start.mjs
  // passes it on to wrangler, which it runs in a group of its own.
  const child = spawn('npm', ['start', '--', '--port', String(port), '--persist-to', stateDir], {
    cwd: root,
    env,
    stdio: ['ignore', log, log],
    detached: true,
  })
  closeSync(log)
  let exited = false
  const exitedPromise = new Promise((resolve) => child.on('exit', () => resolve((exited = true))))
  const server = { base: `http://127.0.0.1:${port}`, port, stateDir, logFile, stop: () => stopServer(child, exitedPromise, () => exited, stateDir) }

  try {
    await waitUntilReady(server, () => exited, readyTimeoutMs)
  } catch (err) {
    await server.stop()
    throw err
  }
  return server
}

async function waitUntilReady(server, hasExited, timeoutMs) {
  const stateFile = path.join(server.stateDir, 'cairn-local.json')
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`npm start exited before Cairn was ready; see ${server.logFile}`)
    // start.mjs writes the user token only after /health has answered and the user exists.
    const state = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {}
    if (state.userToken && state.adminToken) {
      const res = await fetch(`${server.base}/workspaces`, { headers: { authorization: `Bearer ${state.userToken}` } }).catch(() => null)
      if (res?.status === 200) {
        Object.assign(server, { adminToken: state.adminToken, userToken: state.userToken, userId: state.userId, userEmail: state.userEmail })
        return
      }
    }
    await sleep(500)
  }
  throw new Error(`Cairn was not ready within ${Math.round(timeoutMs / 1000)} s; see ${server.logFile}`)
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

/**
 * The wrangler processes of this server, found by their unique `--persist-to` folder: start.mjs runs
 * wrangler in a group of its own, which would outlive a start.mjs that did not get to pass the signal on.
 */
function wranglerPids(stateDir) {
  const pids = []
  for (const entry of readdirSync('/proc', { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^\d+$/.test(entry.name)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry.name}/cmdline`, 'utf8').split('\0')
      if (cmdline.includes(stateDir) && cmdline.some((a) => a.endsWith('wrangler') || a.includes('wrangler-dist'))) pids.push(Number(entry.name))
    } catch {
      // The process ended while we looked.
    }
  }
  return pids
}

async function stopServer(child, exitedPromise, hasExited, stateDir) {
  if (!hasExited()) {
    signalGroup(child.pid, 'SIGTERM')
    await Promise.race([exitedPromise, sleep(15_000)])
    if (!hasExited()) signalGroup(child.pid, 'SIGKILL')
  }
  if (existsSync('/proc')) {
    for (let i = 0; i < 20; i++) {
      const left = wranglerPids(stateDir)
      if (left.length === 0) break
      for (const pid of left) signalGroup(pid, i < 10 ? 'SIGTERM' : 'SIGKILL')
      await sleep(500)
    }
  }
  rmSync(stateDir, { recursive: true, force: true })
}
