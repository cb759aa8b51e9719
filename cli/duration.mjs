/**
 * Durations as people type them — `3600`, `90m`, `12h`, `7d` — in seconds, for `--expires-after`.
 */
import { CairnError } from './client.mjs'

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 }

export function durationSeconds(text) {
  const match = /^\s*(\d+)\s*([smhd]?)\s*$/i.exec(String(text))
  if (!match) throw new CairnError(`"${text}" is not a duration: give seconds, or a number with s, m, h or d (e.g. 12h, 7d).`)
  return Number(match[1]) * UNIT_SECONDS[(match[2] || 's').toLowerCase()]
}
