/**
 * @module The usage table: what models and ingestion spent, one row of daily counters per org, UTC
 * day, user and workspace. Rows are only ever added to (usage/record.ts), never rewritten.
 */
import { integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const usageDaily = sqliteTable(
  'usage_daily',
  {
    orgId: text('org_id').notNull(),
    /** The UTC day, `YYYY-MM-DD`, so rows sort and compare as text. */
    day: text('day').notNull(),
    /** Who asked, or who uploaded the file (a source's files are its creator's). */
    userId: text('user_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    /** `l0` runs that ended (answered or failed). */
    completions: integer('completions').notNull().default(0),
    /** The reasoning model: calls that answered, and their tokens (completions' `usage`, metadata extraction). */
    reasoningCalls: integer('reasoning_calls').notNull().default(0),
    reasoningInputTokens: integer('reasoning_input_tokens').notNull().default(0),
    reasoningOutputTokens: integer('reasoning_output_tokens').notNull().default(0),
    /** The vision and speech models together (completions' `perception_usage`, ingestion's perception). */
    perceptionCalls: integer('perception_calls').notNull().default(0),
    perceptionInputTokens: integer('perception_input_tokens').notNull().default(0),
    perceptionOutputTokens: integer('perception_output_tokens').notNull().default(0),
    audioSeconds: real('audio_seconds').notNull().default(0),
    /** The embedding model: chunks at ingestion, questions at search. */
    embeddingCalls: integer('embedding_calls').notNull().default(0),
    embeddingInputTokens: integer('embedding_input_tokens').notNull().default(0),
    rerankCalls: integer('rerank_calls').notNull().default(0),
    /** Files that finished ingestion (`processed`), their pages (PDF pages, slides) and their bytes. */
    filesIngested: integer('files_ingested').notNull().default(0),
    pagesIngested: integer('pages_ingested').notNull().default(0),
    bytesIngested: integer('bytes_ingested').notNull().default(0),
  },
  // The key's order serves the reports: an org's days in a range, then narrowed by user or workspace.
  (t) => [primaryKey({ columns: [t.orgId, t.day, t.userId, t.workspaceId] })],
)
