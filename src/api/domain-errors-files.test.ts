import { describe, expect, it } from 'vitest'
import { FileError } from '../files/errors'
import { ApiError, errorResponse } from './errors'
import { FILE_ERROR_ANSWERS, fromDomainError } from './domain-errors'

describe('files domain errors as HTTP answers', () => {
  it('a FileError becomes the OpenAI envelope with its status, code and param', async () => {
    const res = errorResponse(fromDomainError(new FileError('no_such_page', 'Page 9 of "a.pdf" cannot be shown: it has 4 pages.', 'page')))
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({ error: { message: 'Page 9 of "a.pdf" cannot be shown: it has 4 pages.', type: 'not_found_error', param: 'page', code: 'page_not_found' } })
  })

  it('every kind has an answer a client can tell apart', () => {
    const answers = Object.values(FILE_ERROR_ANSWERS).map((a) => `${a.status} ${a.code}`)
    expect(new Set(answers).size).toBe(answers.length)
    expect(FILE_ERROR_ANSWERS.renderer_unavailable.status).toBe(503)
  })

  it('anything else passes through as it was', () => {
    const other = new ApiError(403, 'no')
    expect(fromDomainError(other)).toBe(other)
    const boom = new Error('boom')
    expect(fromDomainError(boom)).toBe(boom)
  })
})
