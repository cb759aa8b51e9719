/**
 * @module API tokens: who a bearer token names, and issuing, listing and revoking a user's tokens.
 * Values are shown once and stored only as a SHA-256; the admin manages anyone's, a user their own.
 */
import { and, eq } from 'drizzle-orm'
import type { Db } from '../db/client'
import { actorOf, appendAudit } from '../audit/log'
import { newId, newTokenValue, sha256Hex } from '../db/ids'
import { apiTokens, users } from '../db/schema'
import { TenancyError } from './errors'
import type { Principal } from './principal'
import type { User } from './users'

export type Token = typeof apiTokens.$inferSelect
/** A token as it may be shown: never its value or hash. */
export type TokenInfo = Pick<Token, 'id' | 'name' | 'createdAt'>

const tokenInfo = (t: Token): TokenInfo => ({ id: t.id, name: t.name, createdAt: t.createdAt })

/**
 * The principal a bearer token value names: the admin for the deployment's admin token, the token's
 * user otherwise; null for a value that is unknown or revoked.
 */
export async function identify(db: Db, adminToken: string | null | undefined, value: string): Promise<Principal | null> {
  const hash = await sha256Hex(value)
  // Comparing hashes rather than the values keeps the comparison's timing independent of the secret.
  if (adminToken && hash === (await sha256Hex(adminToken))) return { kind: 'admin' }
  const row = await db
    .select({ tokenId: apiTokens.id, userId: users.id, orgId: users.orgId, email: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, hash))
    .get()
  return row ? { kind: 'user', ...row, via: 'token' } : null
}

/** The user whose tokens `principal` wants to manage: forbidden for another user of the same org, missing otherwise. */
async function tokenOwner(db: Db, principal: Principal, userId: string): Promise<User> {
  const user = await db.select().from(users).where(eq(users.id, userId)).get()
  const visible = user && (principal.kind === 'admin' || principal.orgId === user.orgId)
  if (!visible) throw new TenancyError('not_found', `No user "${userId}".`, { param: 'user_id' })
  if (principal.kind === 'user' && principal.userId !== user.id) {
    throw new TenancyError('forbidden', "Only the user themself or the admin token can manage a user's tokens.")
  }
  return user
}

/**
 * A new token for `userId`, with its value: the only time the value is ever seen.
 * @example const { token } = await issueToken(db, principal, user.id, 'laptop')
 */
export async function issueToken(db: Db, principal: Principal, userId: string, name = 'token'): Promise<TokenInfo & { token: string }> {
  const user = await tokenOwner(db, principal, userId)
  const value = newTokenValue()
  const token: Token = { id: newId('tok'), userId: user.id, name, tokenHash: await sha256Hex(value), createdAt: Date.now() }
  await db.insert(apiTokens).values(token)
  await appendAudit(db, user.orgId, [{ actor: actorOf(principal), action: 'token.created', target: token.id, details: { user_id: user.id, email: user.email, name } }])
  return { ...tokenInfo(token), token: value }
}

/** A user's tokens, oldest first, without their values. */
export async function listTokens(db: Db, principal: Principal, userId: string): Promise<TokenInfo[]> {
  const user = await tokenOwner(db, principal, userId)
  const rows = await db.select().from(apiTokens).where(eq(apiTokens.userId, user.id)).orderBy(apiTokens.createdAt).all()
  return rows.map(tokenInfo)
}

/** Revokes a token at once; returns its id. */
export async function revokeToken(db: Db, principal: Principal, tokenId: string): Promise<string> {
  const missing = () => new TenancyError('not_found', `No token "${tokenId}".`, { param: 'token_id' })
  const token = await db.select({ id: apiTokens.id, userId: apiTokens.userId }).from(apiTokens).where(eq(apiTokens.id, tokenId)).get()
  if (!token) throw missing()
  const owner = await tokenOwner(db, principal, token.userId).catch((err: unknown): never => {
    // Someone else's token in another org must look exactly like a missing one.
    if (err instanceof TenancyError && err.kind === 'not_found') throw missing()
    throw err
  })
  const revoked = await db.delete(apiTokens).where(and(eq(apiTokens.id, token.id), eq(apiTokens.userId, token.userId))).returning({ id: apiTokens.id })
  // Two revocations at once: only the one that removed the token records it.
  if (revoked.length > 0) {
    await appendAudit(db, owner.orgId, [{ actor: actorOf(principal), action: 'token.revoked', target: token.id, details: { user_id: owner.id, email: owner.email } }])
  }
  return token.id
}
