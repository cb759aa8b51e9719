/**
 * Pictures on slides: the deck's picture listed by the parser and read by the vision model into an
 * image chunk of its slide (real D1, R2, queue consumer; scripted model); without a vision model
 * the deck is read as before; which pictures are worth a call (size, a picture repeated on many
 * slides read once) and the file's page budget, on real fixture images placed on a real deck.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { parseDocument } from '../../src/ingest/parsers/registry'
import { readSlidePictures } from '../../src/ingest/perception/slide-pictures'
import { buildDeps } from '../../src/deps'
import type { EmbeddedPicture, ParseResult } from '../../src/ingest/segment'
import { callJson, createOrgWithWorkspace, unique, uploadForm, waitForIngest } from './api-client'
import { fixtureBytes } from './fixtures'
import { chunksOf, ingestWith, modelDeps, pngSize, sentImage, type World } from './perception-support'
import { received, script } from './model-server-client'

let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

async function parsed(path: string): Promise<ParseResult> {
  const outcome = await parseDocument(await fixtureBytes(path), 'pptx')
  if (outcome.status !== 'parsed') throw new Error(outcome.reason)
  return outcome.result
}

describe('a deck with a picture', () => {
  it('the parser lists the PNG on slide 1 without inflating it', async () => {
    const result = await parsed('samples/pptx/powerpoint_with_image.pptx')
    expect(result.pictures?.map(({ page, name, kind }) => ({ page, name, kind }))).toEqual([{ page: 1, name: 'ppt/media/image1.png', kind: 'png' }])
    expect(pngSize(result.pictures![0]!.read())).toEqual({ width: 268, height: 268 })
  })

  it('with a vision model, the picture is read into an image chunk of its slide, after the slide\'s text', async () => {
    const model = unique('vision-slide')
    await script(model, [{ content: 'Visible text: Quillfeather\n\nA square logo.' }])
    const file = await ingestWith(modelDeps({ VISION_MODEL: model }), w, 'deck.pptx', await fixtureBytes('samples/pptx/powerpoint_with_image.pptx'))
    expect(file.status, file.status_details).toBe('processed')
    expect(file.status_details).toBeNull()
    expect(file.perception).toEqual({ pages_rendered: 0, pages_seen: 1, page_budget: 20, skipped: 0 })
    const chunks = await chunksOf(file.id)
    const image = chunks.filter((c) => c.modality === 'image')
    expect(image).toHaveLength(1)
    expect(image[0]).toMatchObject({ page: 1 })
    expect(image[0]!.text).toContain('Quillfeather')
    // The picture itself reached the model: a 268×268 PNG.
    const [call] = await received(model)
    const sent = sentImage(call!)
    expect(sent.mediaType).toBe('image/png')
    expect(pngSize(sent.bytes)).toEqual({ width: 268, height: 268 })
    expect(JSON.stringify(call!.body)).toContain('slide 1 of a presentation')
  })

  it('without a vision model, the deck is read as before and nothing is spent', async () => {
    const bytes = await fixtureBytes('samples/pptx/powerpoint_with_image.pptx')
    const uploaded = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['deck.pptx', bytes]], { workspace: w.ws }) })
    const file = await waitForIngest(w.writer.token, uploaded.id)
    expect(file.status).toBe('processed')
    expect(file.perception).toEqual({ pages_rendered: 0, pages_seen: 0, page_budget: 0, skipped: 0 })
    expect((await chunksOf(file.id)).every((c) => c.modality !== 'image')).toBe(true)
  })
})

describe('which slide pictures are read', () => {
  it('large enough, each picture once however many slides show it, the first per slide, within the budget', async () => {
    const deck = await parsed('samples/pptx/powerpoint_sample.pptx')
    const picture = async (page: number, path: string): Promise<EmbeddedPicture> => {
      const bytes = await fixtureBytes(path)
      return { page, name: path, kind: path.endsWith('.png') ? 'png' : 'jpeg', read: () => bytes }
    }
    const pictures = [
      await picture(1, 'samples/image/simple.png'), // 320×180: read
      await picture(1, 'samples/image/cosmic.png'), // a second picture on slide 1: not read
      await picture(2, 'samples/image/simple.png'), // the same picture again: read once
      await picture(2, 'hostile/image/broken.png'), // damaged: passed over
      await picture(3, 'samples/image/photo_hopper.jpg'), // read, if the budget allows
    ]
    const model = unique('vision-slides')
    await script(model, [{ content: 'First picture.' }, { content: 'Second picture.' }])
    const deps = modelDeps({ VISION_MODEL: model }).deps
    const fileId = unique('file-deck')
    const read = await readSlidePictures({ d1: env.DB, models: deps.models, budget: 1 }, fileId, { ...deck, pictures })
    const calls = await received(model)
    expect(calls).toHaveLength(1)
    expect(pngSize(sentImage(calls[0]!).bytes)).toEqual({ width: 320, height: 180 })
    expect(read.perception).toEqual({ pagesRendered: 0, pagesSeen: 1, pagesSkipped: 1, scansUnread: 0, visionConfigured: true, budget: 1 })
    const images = read.segments.filter((s) => s.provenance.modality === 'image')
    expect(images.map((s) => [s.provenance.page, s.text])).toEqual([[1, 'First picture.']])
    // Slide 1's picture comes after slide 1's text, before slide 2's.
    const at = read.segments.indexOf(images[0]!)
    expect(read.segments[at - 1]!.provenance.page).toBe(1)
    expect(read.segments[at + 1]!.provenance.page).toBe(2)
    expect(read.segments.filter((s) => s.provenance.modality !== 'image')).toEqual(deck.segments)

    // Without a vision model: the deck's own segments, nothing claimed.
    const none = await readSlidePictures({ d1: env.DB, models: buildDeps(env).models, budget: 20 }, unique('file-deck'), { ...deck, pictures })
    expect(none).toEqual({ segments: deck.segments, perception: null, note: null })
  })
})
