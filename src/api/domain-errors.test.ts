import { describe, expect, it } from 'vitest'
import { TenancyError } from '../tenancy/errors'
import { fromDomainError } from './domain-errors'
import { ApiError } from './errors'

describe('fromDomainError', () => {
  it.each([
    ['not_found', 404, 'not_found', 'not_found_error'],
    ['forbidden', 403, 'insufficient_permissions', 'permission_error'],
    ['conflict', 409, 'conflict', 'conflict_error'],
    ['invalid', 422, 'invalid_value', 'invalid_request_error'],
  ] as const)('a tenancy %s answers %i with code %s', (kind, status, code, type) => {
    const mapped = fromDomainError(new TenancyError(kind, 'What was wrong.', { param: 'user' }))
    expect(mapped).toBeInstanceOf(ApiError)
    expect((mapped as ApiError).status).toBe(status)
    expect((mapped as ApiError).body()).toEqual({ error: { message: 'What was wrong.', type, param: 'user', code } })
  })

  it("keeps the domain's own code and a missing param", () => {
    const mapped = fromDomainError(new TenancyError('conflict', 'Taken.', { code: 'workspace_exists' })) as ApiError
    expect(mapped.body().error).toMatchObject({ code: 'workspace_exists', param: null })
  })

  it('passes anything else through for errorResponse to judge', () => {
    const other = new Error('boom')
    expect(fromDomainError(other)).toBe(other)
    const api = new ApiError(401, 'No token.')
    expect(fromDomainError(api)).toBe(api)
  })
})
