/**
 * Each uploaded file keeps the SHA-256 of its bytes, shown on the file object, so a client (the
 * `cairn upload` command) can tell which of its files a workspace already holds.
 */
import { describe, expect, it } from 'vitest'
import { callJson, createPerson, unique } from './api-client'

async function hex(bytes: Uint8Array) {
  return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('')
}

describe('the file object', () => {
  it('carries the SHA-256 of the bytes as uploaded, in the upload answer and the listing', async () => {
    const ada = await createPerson(unique('org'))
    const bytes = new TextEncoder().encode(`A note about typewriters, ${unique('n')}.`)
    const form = new FormData()
    form.append('file', new Blob([bytes]), 'note.txt')
    const file = await callJson('POST', '/files', { token: ada.token, form })
    expect(file.sha256).toBe(await hex(bytes))
    const listed = await callJson('GET', '/files', { token: ada.token })
    expect(listed.data.find((f: { id: string }) => f.id === file.id).sha256).toBe(file.sha256)
  })
})
