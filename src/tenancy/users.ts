/**
 * @module Users: created by the deployment admin, or on first sign-in through Cloudflare Access, in a
 * named org (the org, with its `default` workspace, on first use), one per email, emails kept
 * lower-case; and finding a user by email or within an org.
 */
import { and, eq, or } from 'drizzle-orm'
import type { Db } from '../db/client'
import { appendAudit, type AuditActor } from '../audit/log'
import { newId } from '../db/ids'
import { users } from '../db/schema'
import { TenancyError } from './errors'
import { findOrCreateOrg } from './orgs'
import type { Principal } from './principal'

export type User = typeof users.$inferSelect

/**
 * Creates a user in `org`, creating the org if it is new. The caller must already be the admin, or an
 * Access sign-in whose org rule names `org`.
 * @example const user = await createUser(db, { email: 'ana@example.com', org: 'acme' })
 */
export async function createUser(db: Db, input: { email: string; org: string; indexShards?: number }, actor: AuditActor = { kind: 'admin' }, how: 'admin' | 'single_sign_on' = 'admin'): Promise<User> {
  const email = input.email.toLowerCase()
  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).get()
  if (existing) throw new TenancyError('conflict', `A user with email ${email} already exists (${existing.id}).`, { code: 'user_exists', param: 'email' })
  const org = await findOrCreateOrg(db, input.org, input.indexShards)
  const user: User = { id: newId('user'), orgId: org.id, email, createdAt: Date.now(), accessSessionAt: null }
  // Another request may have taken the email since the check above; the unique index decides.
  const inserted = await db.insert(users).values(user).onConflictDoNothing().returning().get()
  if (!inserted) throw new TenancyError('conflict', `A user with email ${email} already exists.`, { code: 'user_exists', param: 'email' })
  await appendAudit(db, org.id, [{ actor, action: 'user.created', target: user.id, details: { email, org: org.name, how } }])
  return user
}

/** The user with `email` in any org (emails name one user in the whole deployment), or null. */
export async function findUserByEmail(db: Db, email: string): Promise<User | null> {
  return (await db.select().from(users).where(eq(users.email, email.toLowerCase())).get()) ?? null
}

/**
 * A user of `orgId`, by id or email; another org's user is as missing as a nonexistent one.
 * `param` names the input the id or email came from, for the error.
 */
export async function findOrgUser(db: Db, orgId: string, idOrEmail: string, param: string): Promise<User> {
  const user = await db
    .select()
    .from(users)
    .where(and(eq(users.orgId, orgId), or(eq(users.id, idOrEmail), eq(users.email, idOrEmail.toLowerCase()))))
    .get()
  if (!user) throw new TenancyError('not_found', `No user "${idOrEmail}" in your org.`, { param })
  return user
}

/** The calling user, as their own token names them; the admin token belongs to no user. */
export async function currentUser(db: Db, principal: Principal): Promise<User> {
  if (principal.kind !== 'user') throw new TenancyError('forbidden', 'The admin token belongs to no user. Use a user token for this route.')
  const user = await db.select().from(users).where(eq(users.id, principal.userId)).get()
  // The token was found a moment ago; a user deleted since is as gone as an unknown one.
  if (!user) throw new TenancyError('not_found', 'Your user no longer exists.')
  return user
}
