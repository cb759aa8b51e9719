/**
 * @module The hash chain: how an audit event's hash is computed from its columns and the previous
 * event's hash. Pure, so writing (log.ts) and checking (verify.ts) cannot disagree about it.
 */
import { sha256Hex } from '../db/ids'

/** The previous hash of an org's first event. */
export const GENESIS_HASH = '0'.repeat(64)

/** The columns an event's hash covers: every stored column but the hash itself. */
export type ChainedEvent = {
  orgId: string
  seq: number
  atMs: number
  actorKind: string
  actorId: string
  actorEmail: string | null
  action: string
  workspaceId: string | null
  target: string | null
  /** Canonical JSON (see `canonicalJson`), stored as hashed. */
  details: string
  prevHash: string
}

/**
 * JSON with object keys sorted at every depth, so the same details always serialise to the same
 * text whatever order they were built in.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value))
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v !== undefined) out[key] = sortKeys(v)
    }
    return out
  }
  return value
}

/**
 * SHA-256 (hex) of the event's columns as a JSON array in a fixed order. An array, not a
 * concatenation, so no two different events can serialise to the same text.
 */
export function eventHash(event: ChainedEvent): Promise<string> {
  const e = event
  return sha256Hex(
    JSON.stringify([e.orgId, e.seq, e.atMs, e.actorKind, e.actorId, e.actorEmail, e.action, e.workspaceId, e.target, e.details, e.prevHash]),
  )
}
