/**
 * @module The stored chat completions table: one row per `store: true` run, holding the request's
 * messages and the `chat.completion` object exactly as the client received it.
 */
import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const completions = sqliteTable(
  'completions',
  {
    /** `chatcmpl-…`, the id the client already has from the response. */
    id: text('id').primaryKey(),
    orgId: text('org_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id').notNull(),
    model: text('model').notNull(),
    /** Unix seconds, the completion object's own `created`. */
    created: integer('created').notNull(),
    /** Milliseconds; orders completions created in the same second. */
    createdAtMs: integer('created_at_ms').notNull(),
    /** A JSON object of string to string; kept apart from `completion` so it can be replaced and filtered alone. */
    metadata: text('metadata').notNull().default('{}'),
    /** JSON: the request's `messages` as sent, with the request fields worth keeping beside them. */
    request: text('request').notNull(),
    /** JSON: the full `chat.completion` object as returned to the client. */
    completion: text('completion').notNull(),
  },
  (t) => [index('completions_workspace_idx').on(t.orgId, t.workspaceId, t.createdAtMs)],
)
