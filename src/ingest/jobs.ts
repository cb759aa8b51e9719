/**
 * @module The messages on the ingest queue. One per uploaded file; big documents fan
 * out into page-range messages of the same shape.
 */
export type IngestJob = {
  fileId: string
  orgId: string
  workspaceId: string
  /** 1-based inclusive page range; absent for a whole file. */
  pages?: { from: number; to: number }
}
