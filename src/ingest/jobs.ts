/**
 * @module The messages on the ingest queue. One per uploaded file; a big PDF fans out into one
 * message per page range, each naming its part so a finished part is counted once. A file's
 * metadata extraction rides the same queue as its own kind, for the same retries and dead letters.
 */
import type { MoveProgress } from '../search/shards/move-workspace'

export type IngestJob = {
  /** Absent on file messages: those were sent before there was more than one kind. */
  kind?: undefined
  fileId: string
  orgId: string
  workspaceId: string
  /** Set on fanned-out messages: which part of the file this is, and its pages (1-based, inclusive). */
  part?: number
  pages?: { from: number; to: number }
}

/** Read the processed file and set metadata as its instructions ask; `request` names the request it serves. */
export type ExtractMetadataJob = {
  kind: 'extract-metadata'
  fileId: string
  orgId: string
  workspaceId: string
  request: string
}

/** Go on with a source's sync (src/sources/sync.ts): from where it stands, for as long as one message may run. */
export type SyncSourceJob = {
  kind: 'sync-source'
  sourceId: string
  /** The sync this message belongs to; a message of an older sync finds a newer id and does nothing. */
  syncId: string
}

/** Copy a workspace's index to the layout its claimed move names (search/shards/move-workspace.ts). */
export type MoveIndexJob = {
  kind: 'move-index'
  orgId: string
  workspaceId: string
  shards: number
  /** Where the move stands, from the step before; absent on the first. */
  progress?: MoveProgress
}

/** Every message the queue carries. */
export type QueueJob = IngestJob | ExtractMetadataJob | SyncSourceJob | MoveIndexJob

export function isMoveIndexJob(job: QueueJob): job is MoveIndexJob {
  return job.kind === 'move-index'
}

export function isExtractMetadataJob(job: QueueJob): job is ExtractMetadataJob {
  return job.kind === 'extract-metadata'
}

export function isSyncSourceJob(job: QueueJob): job is SyncSourceJob {
  return job.kind === 'sync-source'
}
