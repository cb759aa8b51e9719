/**
 * @module Tenancy tables: orgs, their users, and the API tokens users hold.
 * A user belongs to exactly one org; a token belongs to one user and is stored only as a SHA-256.
 */
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core'

export const orgs = sqliteTable('orgs', {
  id: text('id').primaryKey(),
  /** The org's slug, unique across the deployment. */
  name: text('name').notNull().unique(),
  createdAt: integer('created_at').notNull(),
})

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id),
    email: text('email').notNull().unique(),
    createdAt: integer('created_at').notNull(),
    /** When the Cloudflare Access session the user last signed in with began (its assertion's `iat`, ms). */
    accessSessionAt: integer('access_session_at'),
  },
  (t) => [index('users_org_idx').on(t.orgId)],
)

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Hex SHA-256 of the token value; the value itself is shown once and never stored. */
    tokenHash: text('token_hash').notNull().unique(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
)

/**
 * One-time sign-in codes: a user (or the local start script on their behalf) asks for one, and a
 * browser exchanges it once, within minutes, for a token of its own. Stored only as a SHA-256.
 */
export const signInCodes = sqliteTable('sign_in_codes', {
  codeHash: text('code_hash').primaryKey(),
  userId: text('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  expiresAt: integer('expires_at').notNull(),
  createdAt: integer('created_at').notNull(),
})
