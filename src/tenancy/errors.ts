/**
 * @module The one error tenancy throws: what went wrong in the domain's words (`kind`, and a
 * `code` for the cases a client tells apart), never a status; each front door maps it its own way.
 */

export type TenancyErrorKind = 'not_found' | 'forbidden' | 'conflict' | 'invalid'

/**
 * A tenancy rule refused the request. `param` names the input it is about, spelled as callers send it.
 * @example throw new TenancyError('conflict', 'Workspace "legal" already exists in your org.', { code: 'workspace_exists', param: 'id' })
 */
export class TenancyError extends Error {
  readonly kind: TenancyErrorKind
  readonly code: string | null
  readonly param: string | null

  constructor(kind: TenancyErrorKind, message: string, options: { code?: string; param?: string } = {}) {
    super(message)
    this.name = 'TenancyError'
    this.kind = kind
    this.code = options.code ?? null
    this.param = options.param ?? null
  }
}
