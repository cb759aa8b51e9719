import { describe, expect, it } from 'vitest'
import { DamagedFileError, UnsupportedFormatError } from '../errors'
import { parseDocument } from './registry'

describe('parseDocument', () => {
  it('says images and recordings need a model instead of failing', async () => {
    await expect(parseDocument(new Uint8Array([0x89, 0x50]), 'png')).resolves.toEqual({
      status: 'needs-model',
      model: 'vision',
      reason: 'an image needs a vision model to be read',
    })
    const audio = await parseDocument(new Uint8Array([0x49, 0x44, 0x33]), 'mp3')
    expect(audio).toMatchObject({ status: 'needs-model', model: 'speech' })
  })

  it('parses the text formats through one door', async () => {
    const outcome = await parseDocument(new TextEncoder().encode('hello\n\nworld'), 'text')
    expect(outcome.status).toBe('parsed')
    if (outcome.status === 'parsed') expect(outcome.result.segments[0]!.text).toBe('hello\n\nworld')
  })

  it('fails only with ingest errors that carry a sentence', async () => {
    await expect(parseDocument(new TextEncoder().encode('PK\u0003\u0004garbage'), 'docx')).rejects.toBeInstanceOf(DamagedFileError)
    const ole = new Uint8Array(512)
    ole.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
    await expect(parseDocument(ole, 'xlsx')).rejects.toBeInstanceOf(UnsupportedFormatError)
    await expect(parseDocument(new TextEncoder().encode('%PDF-1.4 nothing else'), 'pdf')).rejects.toThrow(/^the PDF is damaged/)
  })
})
