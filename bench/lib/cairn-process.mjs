/**
 * @module Starting Cairn for a benchmark: `scripts/start.mjs` on the given port and state folder,
 * resolved with the process and the ready-made user token once it prints them. Every line Cairn
 * writes is appended to `log`, so a failed run can be read afterwards.
 */
import { spawn } from 'node:child_process'
import { appendFileSync } from 'node:fs'

export function startCairn({ root, port, persistTo, log }) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/start.mjs', '--port', String(port), '--persist-to', persistTo], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
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
