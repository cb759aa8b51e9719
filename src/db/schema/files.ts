/**
 * @module File tables: uploaded files with their ingestion state, the parts a big file is fanned
 * out into, the PDF pages granted a vision read, and the chunks parsed from them (mirrored into the
 * FTS5 table `chunks_fts` by triggers).
 */
import { sqliteTable, text, integer, real, index, primaryKey } from 'drizzle-orm/sqlite-core'

export const FILE_STATUSES = ['uploaded', 'processing', 'processed', 'error'] as const
export type FileStatus = (typeof FILE_STATUSES)[number]

export const files = sqliteTable(
  'files',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    filename: text('filename').notNull(),
    bytes: integer('bytes').notNull(),
    /** Hex SHA-256 of the bytes as uploaded, so a client can ask whether it already sent a file; null for files from before it was kept. */
    sha256: text('sha256'),
    purpose: text('purpose').notNull(),
    /** The format sniffed from magic bytes and extension (`pdf`, `docx`, …). */
    kind: text('kind').notNull(),
    contentType: text('content_type').notNull(),
    status: text('status', { enum: FILE_STATUSES }).notNull(),
    statusDetails: text('status_details'),
    /** A JSON object; filters read it with json_extract. */
    metadata: text('metadata').notNull().default('{}'),
    instructions: text('instructions'),
    /** Unix seconds, as OpenAI's file objects have it. */
    createdAt: integer('created_at').notNull(),
    /** Milliseconds; orders files created in the same second. */
    createdAtMs: integer('created_at_ms').notNull(),
    blobKey: text('blob_key').notNull(),
    pagesTotal: integer('pages_total'),
    pagesDone: integer('pages_done').notNull().default(0),
    /** How many parts (page ranges) the file was fanned out into; null until planned. */
    partsTotal: integer('parts_total'),
    chunkCount: integer('chunk_count').notNull().default(0),
    /** PDFs: pages rendered to PNG in R2, pages a vision model read, and candidates it did not (sums over parts). */
    pagesRendered: integer('pages_rendered').notNull().default(0),
    pagesSeen: integer('pages_seen').notNull().default(0),
    pagesSkipped: integer('pages_skipped').notNull().default(0),
    /** PDFs: the vision page budget in force when the file was planned (VISION_PAGES_PER_FILE). */
    pageBudget: integer('page_budget'),
    /** Vision and speech spending on this file, added to as each part's model calls finish. */
    perceptionPromptTokens: integer('perception_prompt_tokens').notNull().default(0),
    perceptionCompletionTokens: integer('perception_completion_tokens').notNull().default(0),
    perceptionAudioSeconds: real('perception_audio_seconds').notNull().default(0),
    /**
     * Milliseconds: the last sign of life of the file's ingestion (a message started on it, was still
     * working, or finished a part). A file `uploaded`/`processing` whose progress is old has stalled.
     */
    progressAt: integer('progress_at'),
    /** Times the sweep queued the file again since a part last finished; past three the file fails. */
    recoveries: integer('recoveries').notNull().default(0),
    /** Milliseconds: when the sweep last queued the file again. */
    recoveredAt: integer('recovered_at'),
    /** The source (sources.ts) that brought the file in; null for an upload. */
    sourceId: text('source_id'),
    /** Milliseconds: when the file expires (OpenAI's `expires_after` at upload) and the sweep deletes it; null: never. */
    expiresAtMs: integer('expires_at_ms'),
  },
  // By status: the ingest sweep looks for files still `uploaded` or `processing` every half minute; by
  // expiry: it deletes the files whose time has come.
  (t) => [index('files_workspace_idx').on(t.orgId, t.workspaceId, t.createdAtMs), index('files_status_idx').on(t.status), index('files_source_idx').on(t.sourceId), index('files_expiry_idx').on(t.expiresAtMs)],
)

/** One row per finished part; the file is done when their count reaches `parts_total`, however often a part is redelivered. */
export const fileParts = sqliteTable(
  'file_parts',
  {
    fileId: text('file_id').notNull(),
    part: integer('part').notNull(),
    pages: integer('pages').notNull(),
    finishedAt: integer('finished_at').notNull(),
    /** What perception did in this part; the file's counters are their sums, so a redelivery counts once. */
    pagesRendered: integer('pages_rendered').notNull().default(0),
    pagesSeen: integer('pages_seen').notNull().default(0),
    pagesSkipped: integer('pages_skipped').notNull().default(0),
    /** Of the skipped pages, those with (almost) no text: unread, they are missing from the index. */
    scansUnread: integer('scans_unread').notNull().default(0),
    /** How many chunks the part wrote; the file's `chunk_count` is their sum, wherever its chunks are indexed. */
    chunks: integer('chunks').notNull().default(0),
    /** What this part has to say (pages PDFium could not read, pages the vision model refused…); the file's `status_details` joins them. */
    note: text('note'),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.part] })],
)

/**
 * The PDF pages granted a vision read. The per-file budget is counted here: a part claims its pages
 * in one statement each, and a redelivered part finds its own claims again instead of spending more.
 */
export const visionPages = sqliteTable(
  'vision_pages',
  {
    fileId: text('file_id').notNull(),
    page: integer('page').notNull(),
    claimedAt: integer('claimed_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.fileId, t.page] })],
)

export const chunks = sqliteTable(
  'chunks',
  {
    /** Derived from file id and position, so a redelivered message overwrites instead of duplicating. */
    id: text('id').primaryKey(),
    fileId: text('file_id').notNull(),
    orgId: text('org_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    /** The fan-out part that wrote the chunk, so a redelivered part replaces exactly its own. */
    part: integer('part').notNull(),
    position: integer('position').notNull(),
    text: text('text').notNull(),
    /** Denormalised for the lexical index, which matches file names too. */
    filename: text('filename').notNull(),
    /** The heading path joined with " > ". */
    heading: text('heading'),
    page: integer('page'),
    sheet: text('sheet'),
    rowsFrom: integer('rows_from'),
    rowsTo: integer('rows_to'),
    keyPath: text('key_path'),
    startTime: real('start_time'),
    endTime: real('end_time'),
    modality: text('modality').notNull(),
    charStart: integer('char_start').notNull(),
    charEnd: integer('char_end').notNull(),
    tokenCount: integer('token_count').notNull(),
  },
  (t) => [index('chunks_file_idx').on(t.fileId, t.part), index('chunks_workspace_idx').on(t.orgId, t.workspaceId)],
)
