/**
 * @module The file object the API returns (OpenAI's shape plus L0's fields, Cairn's progress, what
 * perception read and spent, and the state of its metadata extraction), and the content type each
 * sniffed kind is served with.
 */
import type { files } from '../db/schema'
import { extractionView, readExtractionState } from '../ingest/metadata-extraction'
import { JSON_LIMITS } from '../json-limits'

export type FileRow = typeof files.$inferSelect

/** Serialized metadata per file; enough for tags and attributes, small enough for every listing. */
export const MAX_METADATA_BYTES = JSON_LIMITS.metadataBytes

/** A new file's perception columns, before any part has run. */
export const NO_PERCEPTION = {
  pagesRendered: 0,
  pagesSeen: 0,
  pagesSkipped: 0,
  pageBudget: null,
  perceptionPromptTokens: 0,
  perceptionCompletionTokens: 0,
  perceptionAudioSeconds: 0,
} as const satisfies Partial<FileRow>

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
    sha256: row.sha256,
    created_at: row.createdAt,
    filename: row.filename,
    purpose: row.purpose,
    status: row.status,
    status_details: row.statusDetails,
    expires_at: row.expiresAtMs === null ? null : Math.floor(row.expiresAtMs / 1000),
    org_id: row.orgId,
    workspace_id: row.workspaceId,
    user_id: row.userId,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    progress: { pages_done: row.pagesDone, pages_total: row.pagesTotal, chunks: row.chunkCount },
    // PDFs and decks: pages (slides) drawn, read by the vision model, and left unread (no model, over budget).
    perception:
      row.kind === 'pdf' || row.kind === 'pptx'
        ? { pages_rendered: row.pagesRendered, pages_seen: row.pagesSeen, page_budget: row.pageBudget, skipped: row.pagesSkipped }
        : null,
    perception_usage: {
      prompt_tokens: row.perceptionPromptTokens,
      completion_tokens: row.perceptionCompletionTokens,
      total_tokens: row.perceptionPromptTokens + row.perceptionCompletionTokens,
      audio_seconds: row.perceptionAudioSeconds,
    },
    metadata_extraction: extractionView(readExtractionState(row.instructions), row.status),
  }
}
