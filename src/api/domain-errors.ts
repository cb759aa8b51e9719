/**
 * @module The one table from the domains' typed errors to API errors: for each error class, the status,
 * code and param it answers with. Domains know nothing of HTTP; a new domain error is one row here.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { FileError, type FileErrorKind } from '../files/errors'
import { AccessSignInError, type AccessSignInErrorKind } from '../tenancy/access-errors'
import { SourceError, type SourceErrorKind } from '../sources/errors'
import { TenancyError, type TenancyErrorKind } from '../tenancy/errors'
import { UsageError, type UsageErrorKind } from '../usage/errors'
import { ApiError } from './errors'

/** A kind's status, and the code a client sees when the domain names no more precise one. */
const TENANCY: Record<TenancyErrorKind, { status: ContentfulStatusCode; code: string }> = {
  not_found: { status: 404, code: 'not_found' },
  forbidden: { status: 403, code: 'insufficient_permissions' },
  conflict: { status: 409, code: 'conflict' },
  invalid: { status: 422, code: 'invalid_value' },
}

/** The files domain's refusals: each kind its own status and code, so a client can tell them apart. */
export const FILE_ERROR_ANSWERS: Readonly<Record<FileErrorKind, { status: ContentfulStatusCode; code: string }>> = {
  not_found: { status: 404, code: 'not_found' },
  invalid: { status: 422, code: 'invalid_value' },
  invalid_filter: { status: 422, code: 'invalid_filter' },
  upload_refused: { status: 422, code: 'invalid_file' },
  model_not_configured: { status: 422, code: 'model_not_configured' },
  not_processed: { status: 422, code: 'file_not_processed' },
  not_a_pdf: { status: 422, code: 'not_a_pdf' },
  no_such_page: { status: 404, code: 'page_not_found' },
  page_not_drawable: { status: 422, code: 'page_not_drawable' },
  renderer_unavailable: { status: 503, code: 'page_renderer_unavailable' },
}

/** The sources domain's refusals. */
const SOURCE_ERROR_ANSWERS: Readonly<Record<SourceErrorKind, { status: ContentfulStatusCode; code: string }>> = {
  not_found: { status: 404, code: 'not_found' },
  conflict: { status: 409, code: 'conflict' },
  invalid: { status: 422, code: 'invalid_value' },
  unreachable: { status: 422, code: 'source_unreachable' },
}

/** Access sign-in's refusals; a bad assertion is a 401 like a bad token, naming the scheme it wants. */
const ACCESS_SIGN_IN_ANSWERS: Readonly<Record<AccessSignInErrorKind, { status: ContentfulStatusCode; code: string }>> = {
  invalid_assertion: { status: 401, code: 'invalid_access_assertion' },
  not_provisioned: { status: 403, code: 'access_user_not_provisioned' },
  keys_unavailable: { status: 503, code: 'access_keys_unavailable' },
  misconfigured: { status: 503, code: 'access_not_configured' },
}

/** The usage domain's refusals. */
const USAGE_ERROR_ANSWERS: Readonly<Record<UsageErrorKind, { status: ContentfulStatusCode; code: string }>> = {
  invalid: { status: 422, code: 'invalid_value' },
  forbidden: { status: 403, code: 'insufficient_permissions' },
  not_found: { status: 404, code: 'not_found' },
}

/** One row per domain error class: the API error it answers with, or undefined when the row does not apply. */
const TABLE: Array<(err: unknown) => ApiError | undefined> = [
  (err) => {
    if (!(err instanceof TenancyError)) return undefined
    const { status, code } = TENANCY[err.kind]
    return new ApiError(status, err.message, err.code ?? code, err.param)
  },
  (err) => {
    if (!(err instanceof FileError)) return undefined
    const { status, code } = FILE_ERROR_ANSWERS[err.kind]
    return new ApiError(status, err.message, code, err.param)
  },
  (err) => {
    if (!(err instanceof SourceError)) return undefined
    const { status, code } = SOURCE_ERROR_ANSWERS[err.kind]
    return new ApiError(status, err.message, code, err.param)
  },
  (err) => {
    if (!(err instanceof AccessSignInError)) return undefined
    const { status, code } = ACCESS_SIGN_IN_ANSWERS[err.kind]
    return new ApiError(status, err.message, code, null, status === 401 ? { 'WWW-Authenticate': 'Bearer realm="cairn"' } : {})
  },
  (err) => {
    if (!(err instanceof UsageError)) return undefined
    const { status, code } = USAGE_ERROR_ANSWERS[err.kind]
    return new ApiError(status, err.message, code, err.param)
  },
]

/**
 * The API error a domain error answers with; anything else is returned as it is, for `errorResponse`.
 * @example app.onError((err) => errorResponse(fromDomainError(err)))
 */
export function fromDomainError(err: unknown): unknown {
  for (const toApiError of TABLE) {
    const mapped = toApiError(err)
    if (mapped) return mapped
  }
  return err
}
