/**
 * @module Stored chat completions in D1: saving a `store: true` run, and reading, listing, re-tagging
 * and deleting them. Every read is scoped to an org, so another org's completion is never found.
 */
import { and, asc, desc, eq, gt, lt, or, sql, type SQL } from 'drizzle-orm'
import { d1Database } from '../db/client'
import { completions } from '../db/schema'

export type CompletionMetadata = Record<string, string>

/** What the agent hands over at the end of a run. */
export type CompletionRecord = {
  /** `chatcmpl-…`, as in the response the client received. */
  id: string
  orgId: string
  workspaceId: string
  userId: string
  model: string
  /** Unix seconds: the completion object's `created`. */
  created: number
  metadata: CompletionMetadata
  /** The request's `messages`, exactly as sent. */
  messages: unknown[]
  /** The `chat.completion` object as returned to the client. */
  completion: object
  /** Other request fields worth keeping beside the messages (`temperature`, `reasoning_effort`…). */
  request?: Record<string, unknown>
}

/** A completion as read back: the record's fields, with the request fields and the completion as objects. */
export type StoredCompletion = Omit<CompletionRecord, 'request' | 'completion'> & {
  createdAtMs: number
  request: Record<string, unknown>
  completion: Record<string, unknown>
}

export type ListOptions = {
  orgId: string
  workspaceId: string
  /** The id of the last completion of the previous page. */
  after?: string
  limit: number
  order: 'asc' | 'desc'
  model?: string
  /** Every pair must match exactly. */
  metadata?: CompletionMetadata
}

/** `after` names nothing in the listing it is meant to continue. */
export class UnknownCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`no item "${cursor}" to continue from`)
    this.name = 'UnknownCursorError'
  }
}

/** The request, completion and metadata together exceed what one D1 row holds, even without inline images. */
export class CompletionTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`the completion and its request take ${bytes} bytes, more than a stored row holds`)
    this.name = 'CompletionTooLargeError'
  }
}

/** D1 refuses rows over 2,000,000 bytes; the margin covers the other columns and encoding. */
const MAX_ROW_BYTES = 1_900_000

/** Two bound parameters per pair; this keeps a listing far below D1's 100 per statement. */
export const MAX_METADATA_FILTERS = 16

const byteLength = (text: string) => new TextEncoder().encode(text).length

/**
 * The request as stored. Images inlined as data URLs can make a request far larger than a D1 row;
 * when they do, each is replaced by a note of its size, so the text of the conversation is still kept.
 */
function requestText(record: CompletionRecord, budget: number): string {
  const full = JSON.stringify({ ...record.request, messages: record.messages })
  if (byteLength(full) <= budget) return full
  const slim = JSON.stringify({ ...record.request, messages: record.messages }, (key, value) =>
    key === 'url' && typeof value === 'string' && value.startsWith('data:') ? `data:,omitted%20(${value.length}%20characters%20not%20stored)` : value,
  )
  if (byteLength(slim) > budget) throw new CompletionTooLargeError(byteLength(slim))
  return slim
}

/**
 * Milliseconds that order completions within their `created` second: the save time when it falls in
 * that second, else the second's start, so ordering by it never disagrees with ordering by `created`.
 */
function orderingMs(created: number): number {
  const start = created * 1000
  return Math.min(Math.max(Date.now(), start), start + 999)
}

function toStored(row: typeof completions.$inferSelect): StoredCompletion {
  const request = JSON.parse(row.request) as Record<string, unknown>
  return {
    id: row.id,
    orgId: row.orgId,
    workspaceId: row.workspaceId,
    userId: row.userId,
    model: row.model,
    created: row.created,
    createdAtMs: row.createdAtMs,
    metadata: JSON.parse(row.metadata) as CompletionMetadata,
    messages: Array.isArray(request.messages) ? request.messages : [],
    request,
    completion: JSON.parse(row.completion) as Record<string, unknown>,
  }
}

/**
 * Keeps a finished run. Saving the same id again overwrites it (a retried run stores once), but keeps
 * its place in listings; an id already held by another org is left alone.
 * @example await saveCompletion(env.DB, { id, orgId, workspaceId, userId, model, created, metadata: {}, messages, completion })
 */
export async function saveCompletion(d1: D1Database, record: CompletionRecord): Promise<void> {
  const completion = JSON.stringify(record.completion)
  const metadata = JSON.stringify(record.metadata ?? {})
  const request = requestText(record, MAX_ROW_BYTES - byteLength(completion) - byteLength(metadata))
  const row = {
    id: record.id,
    orgId: record.orgId,
    workspaceId: record.workspaceId,
    userId: record.userId,
    model: record.model,
    created: record.created,
    createdAtMs: orderingMs(record.created),
    metadata,
    request,
    completion,
  }
  const { id: _id, createdAtMs: _keptPlace, ...changed } = row
  await d1Database(d1)
    .insert(completions)
    .values(row)
    .onConflictDoUpdate({ target: completions.id, set: changed, setWhere: eq(completions.orgId, record.orgId) })
    .run()
}

/** The completion if it is in this org, whatever its workspace. */
export async function findCompletion(d1: D1Database, orgId: string, id: string): Promise<StoredCompletion | null> {
  const row = await d1Database(d1)
    .select()
    .from(completions)
    .where(and(eq(completions.id, id), eq(completions.orgId, orgId)))
    .get()
  return row ? toStored(row) : null
}

/** Rows whose metadata holds `key` with exactly `value`; keys are bound, never spliced into a JSON path. */
function metadataMatches(key: string, value: string): SQL {
  return sql`EXISTS (SELECT 1 FROM json_each(${completions.metadata}) WHERE json_each.key = ${key} AND json_each.type = 'text' AND json_each.value = ${value})`
}

/**
 * One page of a workspace's completions, ordered by creation time then id, so completions of the
 * same millisecond neither repeat nor vanish across pages.
 * @throws UnknownCursorError when `after` is not in this listing
 */
export async function listCompletions(d1: D1Database, options: ListOptions): Promise<{ completions: StoredCompletion[]; hasMore: boolean }> {
  const db = d1Database(d1)
  const scope: SQL[] = [eq(completions.orgId, options.orgId), eq(completions.workspaceId, options.workspaceId)]
  if (options.model !== undefined) scope.push(eq(completions.model, options.model))
  const filters = Object.entries(options.metadata ?? {})
  if (filters.length > MAX_METADATA_FILTERS) throw new RangeError(`at most ${MAX_METADATA_FILTERS} metadata filters`)
  for (const [key, value] of filters) scope.push(metadataMatches(key, value))

  const where = [...scope]
  if (options.after !== undefined) {
    const cursor = await db
      .select({ ms: completions.createdAtMs, id: completions.id })
      .from(completions)
      .where(and(eq(completions.id, options.after), ...scope))
      .get()
    if (!cursor) throw new UnknownCursorError(options.after)
    const beyond = options.order === 'asc' ? gt : lt
    where.push(or(beyond(completions.createdAtMs, cursor.ms), and(eq(completions.createdAtMs, cursor.ms), beyond(completions.id, cursor.id)))!)
  }
  const direction = options.order === 'asc' ? asc : desc
  const rows = await db
    .select()
    .from(completions)
    .where(and(...where))
    .orderBy(direction(completions.createdAtMs), direction(completions.id))
    .limit(options.limit + 1)
    .all()
  return { completions: rows.slice(0, options.limit).map(toStored), hasMore: rows.length > options.limit }
}

/** Replaces the metadata; null when the completion is not in this org. */
export async function updateCompletionMetadata(d1: D1Database, orgId: string, id: string, metadata: CompletionMetadata): Promise<StoredCompletion | null> {
  const row = await d1Database(d1)
    .update(completions)
    .set({ metadata: JSON.stringify(metadata) })
    .where(and(eq(completions.id, id), eq(completions.orgId, orgId)))
    .returning()
    .get()
  return row ? toStored(row) : null
}

/** True when there was such a completion in this org. */
export async function deleteCompletion(d1: D1Database, orgId: string, id: string): Promise<boolean> {
  const deleted = await d1Database(d1)
    .delete(completions)
    .where(and(eq(completions.id, id), eq(completions.orgId, orgId)))
    .returning({ id: completions.id })
    .all()
  return deleted.length > 0
}

/** Removes every completion of a workspace, for workspace deletion; returns how many went. */
export async function deleteWorkspaceCompletions(d1: D1Database, orgId: string, workspaceId: string): Promise<number> {
  const result = await d1Database(d1)
    .delete(completions)
    .where(and(eq(completions.orgId, orgId), eq(completions.workspaceId, workspaceId)))
    .run()
  return result.meta.changes ?? 0
}
