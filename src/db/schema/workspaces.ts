/**
 * @module Workspace tables: an org's workspaces and who may do what in each.
 * Ids are unique within an org, so both tables key on (org_id, workspace id).
 */
import { sqliteTable, text, integer, primaryKey, index } from 'drizzle-orm/sqlite-core'
import { orgs, users } from './tenancy'

export const ACCESS_LEVELS = ['reader', 'writer', 'admin'] as const
export type Access = (typeof ACCESS_LEVELS)[number]

export const workspaces = sqliteTable(
  'workspaces',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id),
    id: text('id').notNull(),
    name: text('name').notNull(),
    /** Null for the `default` workspace, which the org itself creates. */
    creatorUserId: text('creator_user_id'),
    createdAt: integer('created_at').notNull(),
    /** Where its chunks are indexed (search/shards/placement.ts): 0 in D1 itself, n in n IndexShard objects. */
    indexShards: integer('index_shards').notNull().default(0),
    /** Names the shards of the current placement; a move fills the next generation's, then switches. */
    indexGeneration: integer('index_generation').notNull().default(0),
    /** While a move runs: the shard count it moves to (generation + 1), which every write reaches too. */
    indexNextShards: integer('index_next_shards'),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.id] })],
)

export const workspaceMembers = sqliteTable(
  'workspace_members',
  {
    orgId: text('org_id').notNull(),
    workspaceId: text('workspace_id').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    access: text('access', { enum: ACCESS_LEVELS }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.workspaceId, t.userId] }), index('workspace_members_user_idx').on(t.userId)],
)
