/**
 * @module The messages on the ingest queue. One per uploaded file; a big PDF fans out into one
 * message per page range, each naming its part so a finished part is counted once. A file's
 * metadata extraction rides the same queue as its own kind, for the same retries and dead letters.
 */
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

/** Every message the queue carries. */
export type QueueJob = IngestJob | ExtractMetadataJob

export function isExtractMetadataJob(job: QueueJob): job is ExtractMetadataJob {
  return job.kind === 'extract-metadata'
}
