/**
 * @module The Files API's shapes, as zod schemas the routes validate with and `/openapi.json`
 * documents: the file object (OpenAI's plus Cairn's fields), the upload form, ids and the workspace query.
 */
import { z } from '@hono/zod-openapi'
import { MAX_EXPIRY_SECONDS, MIN_EXPIRY_SECONDS } from '../../files/expiry'
import { MAX_METADATA_BYTES } from '../../files/file-object'
import { JSON_LIMITS } from '../../json-limits'
import { MAX_INSTRUCTIONS_LENGTH } from '../../ingest/metadata-extraction'
import { WorkspaceId } from '../schemas'

export const FileObject = z
  .object({
    id: z.string(),
    object: z.literal('file'),
    bytes: z.number(),
    sha256: z.string().nullable().openapi({ description: 'Hex SHA-256 of the bytes as uploaded (null for files uploaded before it was kept): a client compares it to skip files already sent' }),
    created_at: z.number(),
    filename: z.string(),
    purpose: z.string(),
    status: z.enum(['uploaded', 'processing', 'processed', 'error']),
    status_details: z.string().nullable(),
    expires_at: z.number().nullable().openapi({ description: 'Unix seconds when the file expires and is deleted (set with `expires_after` at upload); null: never' }),
    org_id: z.string(),
    workspace_id: z.string(),
    user_id: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    progress: z.object({ pages_done: z.number(), pages_total: z.number().nullable(), chunks: z.number() }),
    perception: z
      .object({
        pages_rendered: z.number().openapi({ description: 'PDF pages drawn to PNG at ingestion for the vision model, and kept (others are drawn when looked at)' }),
        pages_seen: z.number().openapi({ description: 'Pages (or slides, for their pictures) the vision model read: scans, figures, charts, diagrams' }),
        page_budget: z.number().nullable().openapi({ description: 'Pages the vision model may read in this file (VISION_PAGES_PER_FILE; 0 without a vision model)' }),
        skipped: z.number().openapi({ description: 'Pages that needed the vision model but were over the budget or had no model' }),
      })
      .nullable()
      .openapi({ description: 'PDFs and slide decks only: what the page (slide) pictures gave' }),
    perception_usage: z
      .object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number(), audio_seconds: z.number() })
      .openapi({ description: 'Vision and speech model use spent reading this file' }),
    metadata_extraction: z
      .object({
        status: z.enum(['pending', 'done', 'failed']),
        instructions: z.string(),
        details: z.string().nullable().openapi({ description: 'A sentence: which keys were set, or why none were' }),
        keys: z.array(z.string()).openapi({ description: 'The metadata keys the model set' }),
        usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }).nullable(),
        requested_at: z.number().nullable(),
        finished_at: z.number().nullable(),
      })
      .nullable()
      .openapi({ description: 'The latest `instructions` (at upload or in a metadata update) and how applying them went; null when none were given' }),
  })
  .openapi('File')

const FilePart = z.any().openapi({ type: 'string', format: 'binary' })
export const UploadForm = z.object({
  file: z.union([FilePart, z.array(FilePart)]).openapi({ description: 'One or more files (repeat the field)' }),
  purpose: z.string().min(1).max(64).optional().openapi({ example: 'user_data' }),
  metadata: z
    .string()
    .max(MAX_METADATA_BYTES)
    .optional()
    .openapi({ description: `A JSON object, as a string, applied to every file: at most ${MAX_METADATA_BYTES / 1024} KB and ${JSON_LIMITS.metadataDepth} levels of nesting (the object itself counting as one)` }),
  instructions: z
    .string()
    .max(MAX_INSTRUCTIONS_LENGTH)
    .optional()
    .openapi({ description: 'What metadata the reasoning model should set from each file\'s content once it is processed, e.g. "extract the author and year"; see `metadata_extraction`' }),
  workspace: WorkspaceId.optional(),
  'expires_after[anchor]': z.string().max(32).optional().openapi({ description: 'OpenAI\'s expiry: `created_at`, the only anchor; with `expires_after[seconds]`' }),
  'expires_after[seconds]': z
    .string()
    .max(16)
    .optional()
    .openapi({ description: `Seconds after upload (${MIN_EXPIRY_SECONDS} to ${MAX_EXPIRY_SECONDS}) when the files expire: they are then deleted with everything derived from them, and \`expires_at\` says when` }),
})
export const WorkspaceQuery = z.object({ workspace: WorkspaceId.optional() })
export const FileIdParam = z.object({ file_id: z.string().min(1).max(100) })
export const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } })
