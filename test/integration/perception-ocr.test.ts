/**
 * The local vision model: Tesseract in the local model server (started for the test run with its real
 * weights), reached as Cairn reaches it under `npm start` (VISION_BASE_URL, no provider). A scanned PDF
 * becomes searchable text of its page; a text PDF's figures are left alone, since a reader of text
 * only would repeat their page's words; a photo of a document is read as well.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { createOrgWithWorkspace } from './api-client'
import { fixtureBytes, fixtureText } from './fixtures'
import { chunkCount } from './index-rows'
import { chunksOf, ftsHits, ingestWith, modelDeps, type World } from './perception-support'

const url = inject('localModelsUrl')
const ocr = () => modelDeps({ MODEL_PROVIDER: 'none', VISION_BASE_URL: `${url}/v1`, VISION_MODEL: 'tesseract-eng' })
const words = (text: string) => text.toLowerCase().match(/[a-z]{4,}/g) ?? []

let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

describe.skipIf(url === '')('local OCR as the vision model', () => {
  it('reads a scanned PDF into searchable text of its page, close to Tesseract’s own output', async () => {
    const file = await ingestWith(ocr(), w, 'scanned_ocr_test.pdf', await fixtureBytes('samples/pdf/scanned_ocr_test.pdf'))
    expect(file.status, file.status_details).toBe('processed')
    expect(file.perception).toMatchObject({ pages_seen: 1, skipped: 0 })
    const chunks = await chunksOf(file.id)
    expect(chunks.every((c) => c.modality === 'image' && c.page === 1)).toBe(true)
    const read = new Set(words(chunks.map((c) => c.text).join(' ')))
    const expected = words(await fixtureText('samples/pdf/scanned_ocr_test.tesseract_groundtruth.md'))
    expect(expected.length).toBeGreaterThan(5)
    expect(expected.filter((x) => read.has(x)).length / expected.length).toBeGreaterThan(0.9)
    expect(await ftsHits(file.id, 'docling')).toBeGreaterThan(0)
  }, 60_000)

  it('leaves a text PDF’s figures alone: their words are in its text already', async () => {
    const file = await ingestWith(ocr(), w, 'tracemonkey.pdf', await fixtureBytes('samples/pdf/tracemonkey.pdf'))
    expect(file.status, file.status_details).toBe('processed')
    expect(file.perception).toMatchObject({ pages_rendered: 0, pages_seen: 0, skipped: 0 })
    expect((await chunksOf(file.id)).filter((c) => c.modality === 'image')).toEqual([])
  }, 60_000)

  it('reads a picture of a page uploaded as an image', async () => {
    const file = await ingestWith(ocr(), w, 'testocr.png', await fixtureBytes('samples/image/testocr.png'))
    expect(file.status, file.status_details).toBe('processed')
    const text = (await chunksOf(file.id)).map((c) => c.text).join(' ')
    expect(text).toContain('The quick brown dog jumped over the')
    expect(await chunkCount(file.id)).toBe(1)
  }, 60_000)
})
