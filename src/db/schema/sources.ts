/**
 * @module Source tables: a workspace's links to places that hold files (an R2 bucket, an S3-compatible
 * bucket, a website), and what each sync found there — one row per object key or page URL, with the
 * version last indexed and the file it became.
 */
import { sqliteTable, text, integer, index, primaryKey, uniqueIndex } from 'drizzle-orm/sqlite-core'

export const SOURCE_TYPES = ['r2', 's3', 'web'] as const
export type SourceType = (typeof SOURCE_TYPES)[number]

export const SOURCE_STATUSES = ['idle', 'syncing', 'error'] as const
export type SourceStatus = (typeof SOURCE_STATUSES)[number]

export const sources = sqliteTable(
  'sources',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    /** Who connected it; the files it brings in are theirs. */
    userId: text('user_id').notNull(),
    /** Unique in the workspace; files carry it as `metadata.source`. */
    name: text('name').notNull(),
    type: text('type', { enum: SOURCE_TYPES }).notNull(),
    /** The type's settings as JSON, without secrets. */
    settings: text('settings').notNull(),
    /** Credentials sealed with AES-GCM under SOURCE_SECRETS_KEY (secret-box.ts); never returned. */
    sealedSecret: text('sealed_secret'),
    /** Metadata every file from the source starts with. */
    metadata: text('metadata').notNull().default('{}'),
    instructions: text('instructions'),
    /** Minutes between scheduled syncs; null: only when asked. */
    syncEveryMinutes: integer('sync_every_minutes'),
    status: text('status', { enum: SOURCE_STATUSES }).notNull(),
    statusDetails: text('status_details'),
    /** The sync in progress (or the last one): its id marks the objects it has seen. */
    syncId: text('sync_id'),
    /** Where the sync in progress resumes: the listing's cursor. */
    syncCursor: text('sync_cursor'),
    /** Milliseconds. */
    syncStartedAt: integer('sync_started_at'),
    syncProgressAt: integer('sync_progress_at'),
    lastSyncedAt: integer('last_synced_at'),
    nextSyncAt: integer('next_sync_at'),
    /** What the current (or last) sync did. */
    added: integer('added').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    removed: integer('removed').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [uniqueIndex('sources_name_idx').on(t.orgId, t.workspaceId, t.name), index('sources_next_sync_idx').on(t.nextSyncAt)],
)

export const SOURCE_OBJECT_STATES = ['indexed', 'refused', 'queued', 'skipped'] as const
export type SourceObjectState = (typeof SOURCE_OBJECT_STATES)[number]

export const sourceObjects = sqliteTable(
  'source_objects',
  {
    sourceId: text('source_id').notNull(),
    /** The object key, or the page's URL. */
    key: text('key').notNull(),
    /** The version indexed: the store's etag, or a page's ETag / Last-Modified / content hash. */
    version: text('version'),
    /** A page's validators (JSON `{ etag, lastModified }`) for the next conditional request. */
    validators: text('validators'),
    /** The file it became; null while queued, or when it was refused. */
    fileId: text('file_id'),
    state: text('state', { enum: SOURCE_OBJECT_STATES }).notNull(),
    /** The sync that last saw it; one not seen by a finished sync is gone from the source. */
    seenSync: text('seen_sync').notNull(),
    /** Links followed from the start URL to reach a page. */
    depth: integer('depth').notNull().default(0),
    /** Why it was refused or skipped. */
    note: text('note'),
  },
  (t) => [primaryKey({ columns: [t.sourceId, t.key] }), index('source_objects_sync_idx').on(t.sourceId, t.seenSync)],
)
