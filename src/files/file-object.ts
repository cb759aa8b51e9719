/**
 * @module The file object the API returns (OpenAI's shape plus L0's fields and Cairn's progress),
 * and the content type each sniffed kind is served with.
 */
import type { files } from '../db/schema'

export type FileRow = typeof files.$inferSelect

export const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  json: 'application/json',
  text: 'text/plain; charset=utf-8',
  png: 'image/png',
  jpeg: 'image/jpeg',
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
}

export function fileObject(row: FileRow) {
  return {
    id: row.id,
    object: 'file' as const,
    bytes: row.bytes,
    created_at: row.createdAt,
    filename: row.filename,
    purpose: row.purpose,
    status: row.status,
    status_details: row.statusDetails,
    expires_at: null,
    org_id: row.orgId,
    workspace_id: row.workspaceId,
    user_id: row.userId,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    progress: { pages_done: row.pagesDone, pages_total: row.pagesTotal, chunks: row.chunkCount },
  }
}
