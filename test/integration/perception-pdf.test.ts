/**
 * PDF perception in workerd against real local D1, R2 and Queues and the scripted model server:
 * with a vision model, the pages it reads drawn to R2 as PNGs of the page's size at their recorded
 * dpi, and no others; scanned pages read into chunks of their page (modality image), searchable;
 * the per-file page budget holding across page-range messages; without a vision model, no PDFium at
 * all, text only and a sentence on what was not read; any page drawn on demand over the
 * PAGE_RENDERER binding; renders gone with their file; hostile PDFs inspected without a crash.
 */
import { env } from 'cloudflare:test'
import { PDFDocument } from 'pdf-lib'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodePng } from '../../src/ingest/perception/png-decode'
import { ingest } from '../../src/ingest/pipeline'
import { BASE_DPI, DETAIL_DPI, MAX_RENDER_SIDE, renderPage } from '../../src/ingest/perception/page-render'
import { inspectRange } from '../../src/ingest/perception/range-pages'
import { pagePicture, type PageFile } from '../../src/ingest/perception/page-pictures'
import { buildDeps } from '../../src/deps'
import { pageRenderKey, renderPrefix } from '../../src/ingest/perception/render-keys'
import { claimVisionPages } from '../../src/ingest/perception/vision-budget'
import { callJson, createOrgWithWorkspace, unique, uploadForm, waitForIngest } from './api-client'
import { fixtureBytes, fixtureList, fixtureText } from './fixtures'
import { chunksOf, ftsHits, ingestWith, modelDeps, pngSize, sentImage, type World } from './perception-support'
import { received, script } from './model-server-client'

let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

/** Page sizes in points after rotation, read by pdf-lib (not by the renderer under test). */
async function pageSizes(bytes: Uint8Array): Promise<Array<{ width: number; height: number }>> {
  const pdf = await PDFDocument.load(bytes, { ignoreEncryption: true })
  return pdf.getPages().map((page) => {
    const box = page.getCropBox()
    const turned = page.getRotation().angle % 180 !== 0
    return turned ? { width: box.height, height: box.width } : { width: box.width, height: box.height }
  })
}

/** The stored render of a page: a PNG that decodes in full, whose size is the page's at the dpi it records. */
async function expectRender(fileId: string, page: number, size: { width: number; height: number }): Promise<{ dpi: number; png: Uint8Array }> {
  const object = await env.FILES.get(pageRenderKey(fileId, page))
  expect(object, `render of page ${page}`).not.toBeNull()
  expect(object!.httpMetadata?.contentType).toBe('image/png')
  const png = new Uint8Array(await object!.arrayBuffer())
  const dpi = Number(object!.customMetadata?.dpi)
  const { width, height } = pngSize(png)
  expect(Math.abs(width - (size.width * dpi) / 72), `page ${page} width at ${dpi} dpi`).toBeLessThanOrEqual(1)
  expect(Math.abs(height - (size.height * dpi) / 72), `page ${page} height at ${dpi} dpi`).toBeLessThanOrEqual(1)
  expect(Math.max(width, height)).toBeLessThanOrEqual(MAX_RENDER_SIDE)
  expect(() => decodePng(png)).not.toThrow()
  return { dpi, png }
}

async function renderKeys(fileId: string): Promise<string[]> {
  return (await env.FILES.list({ prefix: renderPrefix(fileId) })).objects.map((o) => o.key)
}

describe('scanned PDFs with a vision model', () => {
  for (const name of ['scanned_ocr_test.pdf', 'scanned_ocr_test_rotated_90.pdf']) {
    it(`${name}: the page is read into image chunks of page 1, searchable, from a detailed render`, async () => {
      const model = unique('vision-scan')
      const truth = await fixtureText('samples/pdf/scanned_ocr_test.tesseract_groundtruth.md')
      await script(model, [{ content: `${truth}\nQuartzlantern`, usage: { prompt: 1500, completion: 120 } }])
      const bytes = await fixtureBytes(`samples/pdf/${name}`)
      const file = await ingestWith(modelDeps({ VISION_MODEL: model }), w, name, bytes)

      expect(file.status, file.status_details).toBe('processed')
      expect(file.status_details).toBeNull()
      expect(file.perception).toEqual({ pages_rendered: 1, pages_seen: 1, page_budget: 20, skipped: 0 })
      expect(file.perception_usage).toEqual({ prompt_tokens: 1500, completion_tokens: 120, total_tokens: 1620, audio_seconds: 0 })
      const chunks = await chunksOf(file.id)
      expect(chunks.length).toBeGreaterThan(0)
      for (const c of chunks) expect(c).toMatchObject({ page: 1, modality: 'image', start_time: null })
      expect(chunks.map((c) => c.text).join('\n')).toContain('Quartzlantern')
      expect(await ftsHits(file.id, 'quartzlantern')).toBe(1)

      // One call, with the page's detailed render, the same PNG that is stored.
      const calls = await received(model)
      expect(calls).toHaveLength(1)
      const image = sentImage(calls[0]!)
      expect(image.mediaType).toBe('image/png')
      const [size] = await pageSizes(bytes)
      const stored = await expectRender(file.id, 1, size!)
      expect(stored.dpi).toBeGreaterThan(BASE_DPI)
      expect(stored.dpi).toBeLessThanOrEqual(DETAIL_DPI)
      expect(image.bytes).toEqual(stored.png)
      const { width, height } = pngSize(stored.png)
      expect(width > height).toBe(name.includes('rotated'))
    }, 30_000)
  }
})

describe('with a vision model, the pages it reads are drawn and kept; no other page is drawn at ingestion', () => {
  it('a 14-page PDF fanned out into three messages: its budgeted figure pages kept as PNGs in detail, nothing else', async () => {
    const bytes = await fixtureBytes('samples/pdf/tracemonkey.pdf')
    const model = unique('vision-figures')
    await script(model, [{ content: 'A figure.' }, { content: 'A figure.' }, { content: 'A figure.' }])
    const seeing = modelDeps({ VISION_MODEL: model, VISION_PAGES_PER_FILE: '3' })
    const file = await ingestWith(seeing, w, 'tracemonkey.pdf', bytes)
    expect(file.status, file.status_details).toBe('processed')
    expect(file.perception).toMatchObject({ pages_rendered: 3, pages_seen: 3, page_budget: 3 })
    // More figure pages than the budget: found by inspection, not drawn.
    expect(file.perception.skipped).toBeGreaterThan(0)
    const keys = await renderKeys(file.id)
    const imagePages = [...new Set((await chunksOf(file.id)).filter((c) => c.modality === 'image').map((c) => c.page))]
    expect(keys.map((key) => Number(/page-(\d+)\.png$/.exec(key)![1]))).toEqual(imagePages)
    const sizes = await pageSizes(bytes)
    for (const page of imagePages) {
      // 144 dpi, or a little less where the long side would pass MAX_RENDER_SIDE.
      const { dpi } = await expectRender(file.id, page!, sizes[page! - 1]!)
      expect(dpi).toBeGreaterThan(BASE_DPI)
      expect(dpi).toBeLessThanOrEqual(DETAIL_DPI)
    }

    // A redelivered part finds its pages drawn and does not draw them again.
    const etags = async () => (await env.FILES.list({ prefix: renderPrefix(file.id) })).objects.map((o) => o.etag)
    const before = await etags()
    await ingest(seeing.deps, { fileId: file.id, orgId: file.org_id, workspaceId: w.ws, part: 1, pages: { from: 6, to: 10 } })
    expect(await etags()).toEqual(before)
  }, 30_000)

  it('with a budget of 0, figures are found and nothing is drawn', async () => {
    const file = await ingestWith(modelDeps({ VISION_MODEL: unique('vision-none'), VISION_PAGES_PER_FILE: '0' }), w, 'tracemonkey.pdf', await fixtureBytes('samples/pdf/tracemonkey.pdf'))
    expect(file.perception).toMatchObject({ pages_rendered: 0, pages_seen: 0, page_budget: 0 })
    expect(file.perception.skipped).toBeGreaterThan(0)
    expect(await renderKeys(file.id)).toEqual([])
  }, 30_000)

  it('a text-only PDF: nothing for the vision model, nothing drawn', async () => {
    const model = unique('vision-text-only')
    const file = await ingestWith(modelDeps({ VISION_MODEL: model }), w, 'multi_page.pdf', await fixtureBytes('samples/pdf/multi_page.pdf'))
    expect(file.perception).toMatchObject({ pages_rendered: 0, pages_seen: 0, skipped: 0 })
    expect(await received(model)).toEqual([])
    expect(await renderKeys(file.id)).toEqual([])
  }, 30_000)

  it('deleting the file deletes its renders', async () => {
    const model = unique('vision-delete')
    await script(model, [{ content: 'A scanned page.' }])
    const file = await ingestWith(modelDeps({ VISION_MODEL: model }), w, 'scanned_ocr_test.pdf', await fixtureBytes('samples/pdf/scanned_ocr_test.pdf'))
    expect(await renderKeys(file.id)).toHaveLength(1)
    await callJson('DELETE', `/files/${file.id}`, { token: w.writer.token })
    expect(await renderKeys(file.id)).toEqual([])
  }, 30_000)
})

describe('drawing a page on demand', () => {
  it('renderPage draws (and keeps) a page that has no render, then serves the kept one', async () => {
    const bytes = await fixtureBytes('samples/pdf/normal_4pages.pdf')
    const uploaded = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['normal_4pages.pdf', bytes]], { workspace: w.ws }) })
    const file = await waitForIngest(w.writer.token, uploaded.id)
    const row = (await env.DB.prepare('SELECT id, blob_key AS blobKey, kind FROM files WHERE id = ?').bind(file.id).first<{ id: string; blobKey: string; kind: string }>())!
    // Ingested without a vision model: no page was drawn.
    expect(await renderKeys(file.id)).toEqual([])
    const fresh = await renderPage(env.FILES, row, 3)
    expect(pngSize(fresh).width).toBeGreaterThan(0)
    await expectRender(file.id, 3, (await pageSizes(bytes))[2]!)
    const stored = new Uint8Array(await (await env.FILES.get(pageRenderKey(file.id, 3)))!.arrayBuffer())
    expect(await renderPage(env.FILES, row, 3)).toEqual(stored)
    await expect(renderPage(env.FILES, row, 9)).rejects.toThrow(/4 pages/)
  }, 30_000)

  it('the API reaches the ingest Worker\'s PageRenderer over the PAGE_RENDERER binding; every failure is a sentence', async () => {
    const bytes = await fixtureBytes('samples/pdf/tracemonkey.pdf')
    const uploaded = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['tracemonkey.pdf', bytes]], { workspace: w.ws }) })
    const file = await waitForIngest(w.writer.token, uploaded.id)
    const row = (await env.DB.prepare('SELECT id, blob_key AS blobKey, kind FROM files WHERE id = ?').bind(file.id).first<{ id: string; blobKey: string; kind: string }>())!
    const { pageRendering, blobs } = buildDeps(env)
    expect(pageRendering).not.toBeNull()

    const drawn = await pagePicture(blobs, pageRendering, row, 2)
    expect(drawn).toMatchObject({ mediaType: 'image/png' })
    const kept = await expectRender(file.id, 2, (await pageSizes(bytes))[1]!)
    expect((drawn as { image: Uint8Array }).image).toEqual(kept.png)
    // Kept: the second look reads R2 and does not ask the renderer.
    const asked: number[] = []
    const counting = { picture: async (f: PageFile, page: number) => (asked.push(page), pageRendering!.picture(f, page)) }
    expect(await pagePicture(blobs, counting, row, 2)).toEqual(drawn)
    expect(asked).toEqual([])

    expect(await pagePicture(blobs, pageRendering, row, 15)).toEqual({ refused: 'the PDF has 14 pages, so page 15 cannot be shown', why: 'no-such-page' })
    expect(await pagePicture(blobs, pageRendering, { id: unique('file-gone'), blobKey: 'nowhere', kind: 'pdf' }, 1)).toEqual({ refused: 'the PDF is no longer stored', why: 'undrawable' })
    const failing = { picture: async () => Promise.reject(new Error('connection reset')) }
    expect(await pagePicture(blobs, failing, { id: unique('file-x'), blobKey: 'x', kind: 'pdf' }, 1)).toEqual({ refused: 'the page renderer failed while drawing it', why: 'no-renderer' })
    expect(await pagePicture(blobs, null, { id: unique('file-x'), blobKey: 'x', kind: 'pdf' }, 1)).toMatchObject({ refused: expect.stringMatching(/PAGE_RENDERER/), why: 'no-renderer' })
  }, 30_000)

  it('an image file is prepared as the vision model takes it: a photo stored on its side comes upright', async () => {
    const key = `${unique('blob')}/simple-90.jpg`
    await env.FILES.put(key, await fixtureBytes('samples/image/simple-90.jpg'))
    const { pageRendering, blobs } = buildDeps(env)
    const picture = await pagePicture(blobs, pageRendering, { id: unique('file-photo'), blobKey: key, kind: 'jpeg' }, 1)
    expect(picture).toMatchObject({ mediaType: 'image/jpeg' })
    const image = (picture as { image: Uint8Array }).image
    const { readJpegHeader } = await import('../../src/ingest/perception/jpeg-decode')
    expect(readJpegHeader(image)).toMatchObject({ width: 320, height: 180 })
    const broken = `${unique('blob')}/broken.png`
    await env.FILES.put(broken, await fixtureBytes('hostile/image/broken.png'))
    expect(await pagePicture(blobs, pageRendering, { id: unique('file-broken'), blobKey: broken, kind: 'png' }, 1)).toMatchObject({ why: 'undrawable' })
  }, 30_000)

  it('a damaged PDF is refused with a sentence, not an error', async () => {
    const key = `${unique('blob')}/damaged.pdf`
    await env.FILES.put(key, new TextEncoder().encode('%PDF-1.7\nthis is not a PDF body\n%%EOF'))
    const { pageRendering, blobs } = buildDeps(env)
    expect(await pagePicture(blobs, pageRendering, { id: unique('file-damaged'), blobKey: key, kind: 'pdf' }, 1)).toEqual({ refused: 'PDFium could not open or draw it', why: 'undrawable' })
  }, 30_000)
})

describe('without a vision model', () => {
  it('a scanned PDF is processed, text only, saying how many scanned pages went unread and how to have them read', async () => {
    const bytes = await fixtureBytes('samples/pdf/scanned_ocr_test.pdf')
    const uploaded = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['scan.pdf', bytes]], { workspace: w.ws }) })
    const file = await waitForIngest(w.writer.token, uploaded.id)
    expect(file.status).toBe('processed')
    expect(file.status_details).toBe(
      'No text was found in this file. 1 scanned page (little or no text) could not be read without a vision model (set MODEL_PROVIDER and VISION_MODEL).',
    )
    // Nothing could look at a page picture, so none was drawn.
    expect(file.perception).toEqual({ pages_rendered: 0, pages_seen: 0, page_budget: 0, skipped: 1 })
    expect(file.perception_usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, audio_seconds: 0 })
    expect(await renderKeys(file.id)).toEqual([])
  }, 30_000)

  it('a PDF with figures is ingested without PDFium: no renders, its text indexed as with one', async () => {
    const bytes = await fixtureBytes('samples/pdf/tracemonkey.pdf')
    const uploaded = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['tracemonkey.pdf', bytes]], { workspace: w.ws }) })
    const file = await waitForIngest(w.writer.token, uploaded.id)
    expect(file.status, file.status_details).toBe('processed')
    expect(file.perception).toEqual({ pages_rendered: 0, pages_seen: 0, page_budget: 0, skipped: 0 })
    expect(await renderKeys(file.id)).toEqual([])
    // With a vision model (that may read nothing) PDFium finds the figures; the text is the same.
    const seen = await ingestWith(modelDeps({ VISION_MODEL: unique('vision-none'), VISION_PAGES_PER_FILE: '0' }), w, 'tracemonkey.pdf', bytes)
    expect(seen.perception.skipped).toBeGreaterThan(0)
    const texts = async (id: string) => (await chunksOf(id)).filter((c) => c.modality === 'text').map((c) => `${c.page}:${c.text}`)
    expect(await texts(file.id)).toEqual(await texts(seen.id))
  }, 30_000)
})

describe('the page budget', () => {
  it('holds across the page-range messages of one file: the vision model reads at most VISION_PAGES_PER_FILE pages', async () => {
    const model = unique('vision-budget')
    const file = await ingestWith(modelDeps({ VISION_MODEL: model, VISION_PAGES_PER_FILE: '2' }), w, 'tracemonkey.pdf', await fixtureBytes('samples/pdf/tracemonkey.pdf'))
    expect(file.status, file.status_details).toBe('processed')
    const calls = await received(model)
    expect(calls).toHaveLength(2)
    const { pages_seen, skipped } = file.perception
    // The two pages read are the two drawn.
    expect(file.perception).toMatchObject({ pages_rendered: 2, pages_seen: 2, page_budget: 2 })
    expect(skipped).toBeGreaterThanOrEqual(2)
    expect(file.status_details).toBe(`${skipped} pages with little text or with figures went unread by the vision model, which reads at most 2 pages per file (VISION_PAGES_PER_FILE).`)
    // Two parts' figure pages, each read as image chunks next to the page's text chunks.
    const chunks = await chunksOf(file.id)
    const imagePages = [...new Set(chunks.filter((c) => c.modality === 'image').map((c) => c.page))]
    expect(imagePages).toHaveLength(pages_seen)
    for (const page of imagePages) expect(chunks.some((c) => c.page === page && c.modality === 'text')).toBe(true)
    expect(file.perception_usage).toEqual({ prompt_tokens: 22, completion_tokens: 14, total_tokens: 36, audio_seconds: 0 })
  }, 30_000)

  it('what an early part says reaches the file\'s status_details, not only what the last part says', async () => {
    const model = unique('vision-refusing')
    await script(model, [{ status: 400, body: { error: { message: 'image format not supported', type: 'invalid_request_error' } } }, { content: 'A figure.' }, { content: 'A figure.' }])
    const built = modelDeps({ VISION_MODEL: model, VISION_PAGES_PER_FILE: '3' })
    const file = await ingestWith(built, w, 'tracemonkey.pdf', await fixtureBytes('samples/pdf/tracemonkey.pdf'))
    expect(file.status, file.status_details).toBe('processed')
    // The refusal came in the first of three parts (pages 1–5); the file was completed by the last.
    const parts = await env.DB.prepare('SELECT part, note FROM file_parts WHERE file_id = ? ORDER BY part').bind(file.id).all<{ part: number; note: string | null }>()
    expect(parts.results.map((p) => p.part)).toEqual([0, 1, 2])
    expect(parts.results[0]!.note).toMatch(/^The vision model could not read page [1-5]: .*image format not supported\.$/)
    expect(parts.results[2]!.note).toBeNull()
    expect(file.status_details).toMatch(/^The vision model could not read page [1-5]: .*image format not supported\. \d+ pages with little text or with figures went unread by the vision model, which reads at most 3 pages per file \(VISION_PAGES_PER_FILE\)\.$/)
  }, 30_000)

  it('claims from parts running at once never pass the budget, and a redelivered part keeps its own', async () => {
    const fileId = unique('file-claims')
    const [a, b] = await Promise.all([claimVisionPages(env.DB, fileId, [1, 2, 3], 4), claimVisionPages(env.DB, fileId, [7, 8, 9], 4)])
    expect(a.size + b.size).toBe(4)
    const again = await claimVisionPages(env.DB, fileId, [1, 2, 3], 4)
    expect(again).toEqual(a)
    expect((await claimVisionPages(env.DB, fileId, [10], 4)).size).toBe(0)
  })
})

describe('hostile PDFs', () => {
  it('are inspected and drawn, fail a page, or are refused by PDFium, without throwing', async () => {
    const paths = (await fixtureList('hostile/pdf')).filter((p) => p.endsWith('.pdf'))
    expect(paths.length).toBeGreaterThan(5)
    for (const path of paths) {
      const pages = await inspectRange(env.FILES, unique('file-hostile'), await fixtureBytes(path), { from: 1, to: 3 })
      // Each page the budget would grant is drawn in detail or refused (null), never thrown.
      for (const { page } of pages.verdicts) await pages.detailed(page)
      pages.close()
      expect(pages.verdicts.length + pages.failed.length > 0 || pages.unavailable !== null, path).toBe(true)
    }
  }, 60_000)
})
