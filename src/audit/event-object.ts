/**
 * @module An audit event as the API shows it: `audit-<seq>` ids, ISO times, the actor as one
 * object, details parsed, and both hashes, so anyone holding an export can recompute the chain.
 */
import type { AuditRow } from './log'

export const auditEventId = (seq: number) => `audit-${seq}`

/** The sequence number an `audit-<seq>` id names, or null for anything else. */
export function seqOfAuditId(id: string): number | null {
  const match = /^audit-(\d{1,15})$/.exec(id)
  return match ? Number(match[1]) : null
}

export function auditEventObject(row: AuditRow) {
  return {
    object: 'audit.event' as const,
    id: auditEventId(row.seq),
    org_id: row.orgId,
    seq: row.seq,
    created_at: new Date(row.atMs).toISOString(),
    at_ms: row.atMs,
    actor: { kind: row.actorKind, id: row.actorId, email: row.actorEmail },
    action: row.action,
    workspace: row.workspaceId,
    target: row.target,
    details: JSON.parse(row.details) as Record<string, unknown>,
    prev_hash: row.prevHash,
    hash: row.hash,
  }
}
