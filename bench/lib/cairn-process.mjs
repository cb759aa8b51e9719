/**
 * @module Starting Cairn for a benchmark: `scripts/start.mjs` on the given port and state folder,
 * resolved with the process and the ready-made user token once it prints them. Every line Cairn
 * writes is appended to `log`, so a failed run can be read afterwards.
 */
import { execFileSync, spawn } from 'node:child_process'
import { appendFileSync } from 'node:fs'

export function startCairn({ root, port, persistTo, log, args = [] }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/start.mjs', '--port', String(port), '--persist-to', persistTo, ...args], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    const onData = (d) => {
      appendFileSync(log, d)
      output += d
      const token = /User .* token: (cairn_[A-Za-z0-9_-]+)/.exec(output)
      if (output.includes('Try it:') && token) resolve({ child, token: token[1] })
    }
    child.stdout.on('data', onData)
    child.stderr.on('data', onData)
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}):\n${output}`)))
  })
}

/** Stops Cairn and the wrangler and workerd processes it started (its own process group). */
export function stopCairn(child) {
  try {
    process.kill(-child.pid, 'SIGTERM')
  } catch {}
}

/**
 * Kills Cairn at once, as a crash or a power cut would: SIGKILL to `npm start`'s process group and to
 * wrangler's (start.mjs runs wrangler in a group of its own, which SIGKILL gives it no chance to stop),
 * found as the processes whose arguments name this run's state folder.
 */
export function killCairn(child, persistTo) {
  const groups = new Set([child.pid])
  for (const line of execFileSync('ps', ['-eo', 'pgid=,args='], { encoding: 'utf8' }).split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line)
    if (match && match[2].includes(persistTo)) groups.add(Number(match[1]))
  }
  for (const group of groups) {
    try {
      process.kill(-group, 'SIGKILL')
    } catch {}
  }
  return [...groups]
}
