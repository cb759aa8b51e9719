/**
 * @module One-time sign-in codes: how a browser gets a token without a long-lived secret in a URL.
 * A user asks for a code (the local start script does so for its user and prints a link); the
 * browser redeems it once, within minutes, for a fresh token of its own that signing out revokes.
 */
import { actorOf, appendAudit } from '../audit/log'
import { and, eq, gt, lt } from 'drizzle-orm'
import type { Db } from '../db/client'
import { newTokenValue, sha256Hex } from '../db/ids'
import { signInCodes, users } from '../db/schema'
import { TenancyError } from './errors'
import type { Principal } from './principal'
import { issueToken, type TokenInfo } from './tokens'

/** How long a code may wait to be redeemed. */
export const SIGN_IN_CODE_TTL_MS = 15 * 60 * 1000
/** The name the redeemed token is listed under, so its owner can tell it apart and revoke it. */
export const SIGN_IN_TOKEN_NAME = 'console sign-in'

export type SignInCode = { code: string; expiresAt: number }
export type SignedIn = { token: string; tokenInfo: TokenInfo; user: { id: string; email: string; orgId: string } }

/** A new code for the calling user; the admin token belongs to no one and gets none. */
export async function issueSignInCode(db: Db, principal: Principal, now = Date.now()): Promise<SignInCode> {
  if (principal.kind !== 'user') {
    throw new TenancyError('forbidden', "The admin token belongs to no user, so it cannot sign in to the console. Use a user's token.")
  }
  // Expired codes are swept as new ones are made, so the table holds only live ones.
  await db.delete(signInCodes).where(lt(signInCodes.expiresAt, now))
  const code = newTokenValue().replace(/^cairn_/, 'signin_')
  const expiresAt = now + SIGN_IN_CODE_TTL_MS
  await db.insert(signInCodes).values({ codeHash: await sha256Hex(code), userId: principal.userId, expiresAt, createdAt: now })
  return { code, expiresAt }
}

/**
 * Redeems `code` once: deletes it and issues its user a new token. An unknown, used or expired code is
 * refused with one sentence, so a guess learns nothing about which it was.
 */
export async function redeemSignInCode(db: Db, code: string, now = Date.now()): Promise<SignedIn> {
  const hash = await sha256Hex(code)
  // Deleting with RETURNING makes the redemption atomic: two browsers racing with one code get one token.
  const [row] = await db
    .delete(signInCodes)
    .where(and(eq(signInCodes.codeHash, hash), gt(signInCodes.expiresAt, now)))
    .returning({ userId: signInCodes.userId })
  const user = row && (await db.select().from(users).where(eq(users.id, row.userId)).get())
  if (!user) {
    throw new TenancyError('invalid', 'This sign-in code is not valid: it is unknown, already used or expired. Ask for a new link.', { param: 'code', code: 'invalid_sign_in_code' })
  }
  const principal: Principal = { kind: 'user', userId: user.id, orgId: user.orgId, email: user.email, tokenId: '', via: 'token' }
  const { token, ...tokenInfo } = await issueToken(db, principal, user.id, SIGN_IN_TOKEN_NAME)
  await appendAudit(db, user.orgId, [{ actor: actorOf(principal), action: 'user.signed_in', target: user.id, details: { method: 'sign_in_code', token_id: tokenInfo.id } }])
  return { token, tokenInfo, user: { id: user.id, email: user.email, orgId: user.orgId } }
}
