/**
 * @module The one error signing in through Cloudflare Access throws: what went wrong in the domain's
 * words, never a status; each front door maps it its own way (src/api/domain-errors.ts).
 */

/**
 * - `invalid_assertion`: the assertion is expired, for another application, from another team, or not signed by the team's key.
 * - `not_provisioned`: a valid assertion for an email that is no user and that no org rule covers.
 * - `keys_unavailable`: the team's signing keys could not be fetched.
 * - `misconfigured`: an Access request reached a deployment whose Access settings are wrong.
 */
export type AccessSignInErrorKind = 'invalid_assertion' | 'not_provisioned' | 'keys_unavailable' | 'misconfigured'

export class AccessSignInError extends Error {
  readonly kind: AccessSignInErrorKind

  constructor(kind: AccessSignInErrorKind, message: string) {
    super(message)
    this.name = 'AccessSignInError'
    this.kind = kind
  }
}
