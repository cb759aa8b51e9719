/**
 * @module The files under a folder, recursively, skipping dot files: what a bench uploads or syncs.
 */
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

export function filesUnder(dir) {
  return readdirSync(dir, { recursive: true }).map((f) => path.join(dir, f)).filter((f) => statSync(f).isFile() && !path.basename(f).startsWith('.'))
}
