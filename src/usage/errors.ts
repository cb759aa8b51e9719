/**
 * @module The one error the usage domain throws: what was wrong in its own words (`kind`), and the
 * input it is about (`param`, as callers spell it); each front door maps it to its status.
 */

export type UsageErrorKind = 'invalid' | 'forbidden' | 'not_found'

/** @example throw new UsageError('invalid', 'from must not be after to.', 'from') */
export class UsageError extends Error {
  readonly kind: UsageErrorKind
  readonly param: string | null

  constructor(kind: UsageErrorKind, message: string, param: string | null = null) {
    super(message)
    this.name = 'UsageError'
    this.kind = kind
    this.param = param
  }
}
