import { describe, expect, it, vi } from 'vitest'
import { FileError } from '../files/errors'
import { FilterSyntaxError, parseFilter } from '../filter'
import { TenancyError } from '../tenancy/errors'
import { toolCall } from './tool-result'

const text = (r: { content: Array<{ type: string; text?: string }> }) => r.content.map((c) => c.text).join('')

describe('toolCall', () => {
  it('passes an answer through', async () => {
    const result = await toolCall(async () => ({ content: [{ type: 'text', text: 'ok' }] }))
    expect(result).toEqual({ content: [{ type: 'text', text: 'ok' }] })
  })

  it('turns the domains\' refusals into tool errors with their sentence', async () => {
    let syntax: unknown
    try {
      parseFilter('a ==')
    } catch (err) {
      syntax = err
    }
    expect(syntax).toBeInstanceOf(FilterSyntaxError)
    for (const err of [new TenancyError('forbidden', 'You have no access to workspace "x".'), new FileError('not_found', 'No file "file-1".', 'file_id'), syntax as Error]) {
      const result = await toolCall(async () => {
        throw err
      })
      expect(result.isError).toBe(true)
      expect(text(result)).toBe(err.message)
    }
  })

  it('logs anything else and answers plainly, without its message', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {})
    const result = await toolCall(async () => {
      throw new Error('D1_ERROR: no such table: secret_internals')
    })
    expect(result.isError).toBe(true)
    expect(text(result)).toMatch(/^Cairn hit an internal error/)
    expect(text(result)).not.toContain('secret_internals')
    expect(log).toHaveBeenCalled()
    log.mockRestore()
  })
})
