/**
 * @module The messages on the ingest queue. One per uploaded file; a big PDF fans out into one
 * message per page range, each naming its part so a finished part is counted once.
 */
export type IngestJob = {
  fileId: string
  orgId: string
  workspaceId: string
  /** Set on fanned-out messages: which part of the file this is, and its pages (1-based, inclusive). */
  part?: number
  pages?: { from: number; to: number }
}
