/**
 * @module Peak resident memory of a process and everything under it (Linux /proc): `npm start` runs
 * node, wrangler and workerd, so their sum is what the machine gives the local runtime.
 */
import { readdirSync, readFileSync } from 'node:fs'

function treeMemory(rootPid) {
  const processes = new Map()
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      // Fields after the command (which may hold spaces) start after its closing parenthesis.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      processes.set(Number(pid), { parent: Number(fields[1]), name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) })
    } catch {
      // The process ended between the listing and the read.
    }
  }
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = processes.get(p)?.parent ?? 0, hops++) if (p === rootPid) return true
    return false
  }
  let totalKb = 0
  let workerdKb = 0
  for (const [pid, { name }] of processes) {
    if (!inTree(pid)) continue
    try {
      const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
      totalKb += rss
      if (name.startsWith('workerd')) workerdKb += rss
    } catch {}
  }
  return { totalKb, workerdKb }
}

/** Samples every `everyMs` until `stop()`, which returns the peaks in KB. */
export function peakMemory(rootPid, everyMs = 100) {
  let peakKb = 0
  let peakWorkerdKb = 0
  const timer = setInterval(() => {
    const { totalKb, workerdKb } = treeMemory(rootPid)
    peakKb = Math.max(peakKb, totalKb)
    peakWorkerdKb = Math.max(peakWorkerdKb, workerdKb)
  }, everyMs)
  return {
    stop() {
      clearInterval(timer)
      return { peakKb, peakWorkerdKb }
    },
  }
}
