/**
 * @module Sign-ins through Cloudflare Access, for the audit trail. Access puts a fresh assertion on
 * every request of a session, all with the `iat` of the moment the person signed in, so a sign-in is
 * the first request seen with a newer `iat` than the user's last: one conditional update tells, and
 * only that request appends `user.signed_in`. Each isolate remembers what it has seen, so the
 * requests that follow in a session cost nothing.
 */
import { and, eq, isNull, lt, or } from 'drizzle-orm'
import { appendAudit, userActor } from '../audit/log'
import type { Db } from '../db/client'
import { users } from '../db/schema'
import type { AccessSignIn } from './access-sso'

/** Per D1 database, each user's latest session start this isolate has seen (bounded: cleared when full). */
const seen = new WeakMap<object, Map<string, number>>()
const SEEN_USERS = 10_000

function seenIn(db: Db): Map<string, number> {
  const database = (db as unknown as { $client?: object }).$client ?? db
  let map = seen.get(database)
  if (!map) seen.set(database, (map = new Map()))
  if (map.size > SEEN_USERS) map.clear()
  return map
}

/** Records the sign-in `signIn` begins, if it begins one; true when it did. */
export async function noteAccessSignIn(db: Db, signIn: AccessSignIn): Promise<boolean> {
  const { principal, issuedAt, provisioned } = signIn
  if (issuedAt === null) return false
  const known = seenIn(db)
  if ((known.get(principal.userId) ?? -Infinity) >= issuedAt) return false
  const begun = await db
    .update(users)
    .set({ accessSessionAt: issuedAt })
    .where(and(eq(users.id, principal.userId), or(isNull(users.accessSessionAt), lt(users.accessSessionAt, issuedAt))))
    .returning({ id: users.id })
  known.set(principal.userId, issuedAt)
  if (begun.length === 0) return false
  await appendAudit(db, principal.orgId, [
    { actor: userActor(principal), action: 'user.signed_in', target: principal.userId, details: { method: 'cloudflare_access', session_began_at: new Date(issuedAt).toISOString(), provisioned } },
  ])
  return true
}
