/**
 * @module A source as the API shows it: its settings (never its credentials), where its sync stands,
 * and what the current or last sync did.
 */
import type { sources } from '../db/schema'

export type SourceRow = typeof sources.$inferSelect

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

export function sourceObject(row: SourceRow) {
  return {
    id: row.id,
    object: 'source' as const,
    name: row.name,
    type: row.type,
    workspace_id: row.workspaceId,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    /** Whether credentials are kept for it; their values are never returned. */
    has_credentials: row.sealedSecret !== null,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    instructions: row.instructions,
    sync_every_minutes: row.syncEveryMinutes,
    status: row.status,
    status_details: row.statusDetails,
    last_sync:
      row.syncId === null
        ? null
        : {
            started_at: iso(row.syncStartedAt),
            finished_at: row.status === 'syncing' ? null : iso(row.lastSyncedAt),
            added: row.added,
            updated: row.updated,
            removed: row.removed,
            failed: row.failed,
            unchanged: row.unchanged,
          },
    last_synced_at: iso(row.lastSyncedAt),
    next_sync_at: iso(row.nextSyncAt),
    created_at: row.createdAt,
  }
}

export type SourceObject = ReturnType<typeof sourceObject>
