/**
 * @module Signing in through Cloudflare Access: a `Cf-Access-Jwt-Assertion` verified against the team's
 * keys (RS256, audience, issuer, expiry), its email mapped to the Cairn user who has it, or provisioned
 * on first sign-in into the org its email domain's rule names.
 */
import { errors, jwtVerify, type JWTPayload } from 'jose'
import type { Db } from '../db/client'
import type { AccessConfig } from './access-config'
import { AccessSignInError } from './access-errors'
import type { AccessKeys } from './access-keys'
import { orgForEmail } from './access-org-rules'
import { TenancyError } from './errors'
import type { UserPrincipal } from './principal'
import { createUser, findUserByEmail, type User } from './users'

/** A sign-in through Access, with what an audit trail records of it. */
export type AccessSignIn = {
  principal: UserPrincipal
  /** True when this request created the user, by an org rule: their first sign-in. */
  provisioned: boolean
  /** When Access issued the assertion (its `iat`, in ms), which tells one Access session from the next; null if it has none. */
  issuedAt: number | null
}

/** Access and the Worker keep separate clocks; a few seconds of skew must not refuse a fresh assertion. */
const CLOCK_TOLERANCE_SECONDS = 30

/**
 * The user `assertion` names, signing them in; throws `AccessSignInError` when the assertion is not
 * valid (`invalid_assertion`) or names an email Cairn does not know and no rule covers (`not_provisioned`).
 * @example const { principal } = await signInWithAccess(db, config.access, keys, c.req.header('cf-access-jwt-assertion'))
 */
export async function signInWithAccess(db: Db, access: AccessConfig, keys: AccessKeys, assertion: string, indexShards = 0): Promise<AccessSignIn> {
  const payload = await verifyAssertion(access, keys, assertion)
  const email = emailOf(payload)
  const issuedAt = typeof payload.iat === 'number' ? payload.iat * 1000 : null
  const existing = await findUserByEmail(db, email)
  if (existing) return { principal: principalOf(existing), provisioned: false, issuedAt }
  const org = orgForEmail(access.orgRules, email)
  if (!org) {
    throw new AccessSignInError(
      'not_provisioned',
      `${email} signed in through Cloudflare Access, but is not a Cairn user and no org rule covers its domain. Ask your Cairn administrator to add you (POST /users) or a rule for your domain (ACCESS_ORG_RULES).`,
    )
  }
  let created: User
  try {
    created = await createUser(db, { email, org, indexShards }, { kind: 'system', name: 'cloudflare_access' }, 'single_sign_on')
  } catch (err) {
    // Two first requests of the same person race; the one that lost finds the user the other made.
    const raced = err instanceof TenancyError && err.code === 'user_exists' ? await findUserByEmail(db, email) : null
    if (!raced) throw err
    return { principal: principalOf(raced), provisioned: false, issuedAt }
  }
  return { principal: principalOf(created), provisioned: true, issuedAt }
}

async function verifyAssertion(access: AccessConfig, keys: AccessKeys, assertion: string): Promise<JWTPayload> {
  try {
    const { payload } = await jwtVerify(assertion, (header) => keys.keyFor(header), {
      algorithms: ['RS256'],
      issuer: access.teamDomain,
      audience: access.audiences,
      requiredClaims: ['exp'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
    })
    return payload
  } catch (err) {
    if (err instanceof AccessSignInError) throw err
    throw new AccessSignInError('invalid_assertion', `The Cloudflare Access assertion (Cf-Access-Jwt-Assertion) ${whatIsWrong(err)}`)
  }
}

/** The end of a sentence saying what is wrong with an assertion, in terms of what the client can do about it. */
function whatIsWrong(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'has expired. Sign in through Access again (reload the page).'
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'aud') return "is for another Access application: its audience is not this deployment's."
    if (err.claim === 'iss') return "was issued by another Access team than this deployment's."
    if (err.claim === 'nbf' || err.claim === 'iat') return 'is not valid yet. Check the clock, then try again.'
    return `is not valid: its "${err.claim}" claim is missing or wrong.`
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return 'is not signed with RS256, as Access signs.'
  if (err instanceof errors.JWSSignatureVerificationFailed || err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return "is not signed by the Access team's keys."
  }
  return 'is not a well-formed signed token.'
}

/** The person an assertion is for; a service token's assertion names a client id and no email. */
function emailOf(payload: JWTPayload): string {
  const email = payload.email
  if (typeof email === 'string' && email.includes('@') && email.length <= 254) return email.toLowerCase()
  const service = typeof payload.common_name === 'string'
  throw new AccessSignInError(
    'not_provisioned',
    service
      ? 'This Cloudflare Access assertion is for a service token, which is no Cairn user. Send a Cairn API token as well (Authorization: Bearer <token>).'
      : 'This Cloudflare Access assertion names no email, so it names no Cairn user.',
  )
}

function principalOf(user: User): UserPrincipal {
  return { kind: 'user', userId: user.id, orgId: user.orgId, email: user.email, tokenId: `access:${user.id}`, via: 'access' }
}
