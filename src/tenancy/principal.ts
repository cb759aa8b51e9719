/**
 * @module Who is acting: the deployment's admin, or a user of one org holding one of their tokens.
 * Every tenancy rule is decided for a principal, whichever front door identified it.
 */

/**
 * A user, and how they were identified: `via` `token` with the API token `tokenId`, or `access` through a
 * Cloudflare Access assertion, whose `tokenId` is `access:<userId>` so rate limits count each person's
 * Access requests as one token of theirs.
 */
export type UserPrincipal = { kind: 'user'; userId: string; orgId: string; email: string; tokenId: string; via: 'token' | 'access' }
export type AdminPrincipal = { kind: 'admin' }
export type Principal = AdminPrincipal | UserPrincipal

/** The part of a user principal the workspace rules read: a user and their org. */
export type OrgUser = Pick<UserPrincipal, 'userId' | 'orgId'> & { email?: string }
