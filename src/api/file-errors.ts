/**
 * @module The files domain's refusals as HTTP answers: one row per `FileError` kind, giving the
 * status and the OpenAI envelope's `code`. Anything else thrown passes through unchanged.
 */
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { FileError, type FileErrorKind } from '../files/errors'
import { ApiError } from './errors'

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

/** A `FileError` as the `ApiError` the client gets; any other value as it was. */
export function fromFileError(err: unknown): unknown {
  if (!(err instanceof FileError)) return err
  const answer = FILE_ERROR_ANSWERS[err.kind]
  return new ApiError(answer.status, err.message, answer.code, err.param)
}
