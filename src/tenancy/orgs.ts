/**
 * @module Orgs: created on first use by the admin's `POST /users`, always with their
 * `default` workspace. Every step is an idempotent insert, so two admins creating the same
 * org at once, or a retry after a failure between steps, converge on one org with its `default`.
 */
import { eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { newId } from '../db/ids'
import { orgs, workspaces } from '../db/schema'

export const DEFAULT_WORKSPACE = 'default'

export type Org = typeof orgs.$inferSelect

/** `indexShards`: where the new org's `default` workspace indexes its chunks (search/shards/placement.ts). */
export async function findOrCreateOrg(db: Db, name: string, indexShards = 0): Promise<Org> {
  const now = Date.now()
  await db.insert(orgs).values({ id: newId('org'), name, createdAt: now }).onConflictDoNothing()
  const org = (await db.select().from(orgs).where(eq(orgs.name, name)).get())!
  await db
    .insert(workspaces)
    .values({ orgId: org.id, id: DEFAULT_WORKSPACE, name: 'Default', creatorUserId: null, createdAt: org.createdAt, indexShards })
    .onConflictDoNothing()
  return org
}
