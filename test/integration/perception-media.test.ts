/**
 * Images and recordings read by models, in workerd against real local D1 and R2 and the scripted
 * model server: every sample image and recording ends processed with chunks of the right modality
 * and times; what the vision model receives fits its limit; hostile images end in `error` with a
 * sentence and never reach a model; without models, files end processed saying what to configure.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { jpegOrientation } from '../../src/ingest/perception/exif-orientation'
import { readJpegHeader } from '../../src/ingest/perception/jpeg-decode'
import { MAX_VISION_BYTES, MAX_VISION_SIDE } from '../../src/ingest/perception/image-prep'
import { readPngHeader } from '../../src/ingest/perception/png-decode'
import { call, createOrgWithWorkspace, unique, uploadForm, waitForIngest } from './api-client'
import { fixtureBytes, fixtureList, fixtureText } from './fixtures'
import { chunksOf, ftsHits, ingestWith, longWav, modelDeps, readWav, sentImage, type World } from './perception-support'
import { received, script } from './model-server-client'
import { MAX_AUDIO_PIECE_BYTES } from '../../src/ingest/perception/audio-file'

let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

const imageSamples = async () => (await fixtureList('samples/image')).filter((p) => /\.(png|jpe?g)$/.test(p))
const audioSamples = async () => (await fixtureList('samples/audio')).filter((p) => /\.(wav|mp3)$/.test(p))
const nameOf = (path: string) => path.split('/').pop()!

function imageSize(bytes: Uint8Array, mediaType: string): { width: number; height: number } {
  return mediaType === 'image/png' ? readPngHeader(bytes) : readJpegHeader(bytes)
}

describe('images with a vision model', () => {
  it('every sample image ends processed, read into image chunks within the model limit', async () => {
    for (const path of await imageSamples()) {
      const name = nameOf(path)
      const model = unique('vision-image')
      const word = `Zephyrword${name.replace(/\W/g, '')}`
      await script(model, [{ content: `Visible text: ${word}\n\nA picture from ${name}.` }])
      const bytes = await fixtureBytes(path)
      const file = await ingestWith(modelDeps({ VISION_MODEL: model }), w, name, bytes)
      expect(file.status, `${name}: ${file.status_details}`).toBe('processed')
      expect(file.perception).toBeNull()
      expect(file.perception_usage, name).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, audio_seconds: 0 })
      const chunks = await chunksOf(file.id)
      expect(chunks, name).toHaveLength(1)
      expect(chunks[0], name).toMatchObject({ modality: 'image', page: null, start_time: null, end_time: null })
      expect(await ftsHits(file.id, word.toLowerCase()), name).toBe(1)

      const calls = await received(model)
      expect(calls, name).toHaveLength(1)
      const sent = sentImage(calls[0]!)
      expect(sent.mediaType).toBe(name.endsWith('.png') ? 'image/png' : 'image/jpeg')
      const size = imageSize(sent.bytes, sent.mediaType)
      expect(Math.max(size.width, size.height), name).toBeLessThanOrEqual(MAX_VISION_SIDE)
      expect(sent.bytes.length, name).toBeLessThanOrEqual(MAX_VISION_BYTES)
      const original = imageSize(bytes, sent.mediaType)
      const turned = sent.mediaType === 'image/jpeg' && (await jpegOrientation(bytes)) !== 1
      if (turned) {
        // Stored on its side (simple-90.jpg): sent upright, as new pixels without the EXIF tag.
        expect(size, name).toMatchObject({ width: original.height, height: original.width })
        expect(await jpegOrientation(sent.bytes), name).toBe(1)
        expect(file.status_details, name).toBeNull()
      } else if (Math.max(original.width, original.height) <= MAX_VISION_SIDE) {
        expect(sent.bytes, `${name} is sent as uploaded`).toEqual(bytes)
        expect(file.status_details, name).toBeNull()
      } else {
        expect(file.status_details, name).toMatch(new RegExp(`scaled down from ${original.width}×${original.height}`))
      }
    }
  }, 120_000)

  it('the 10,973×3,570 chart reaches the model at 1,568×510, as a PNG that decodes', { timeout: 30_000 }, async () => {
    const model = unique('vision-huge')
    const file = await ingestWith(modelDeps({ VISION_MODEL: model }), w, 'chart.png', await fixtureBytes('samples/image/chart_bars_huge.png'))
    expect(file.status_details).toBe('It was read at 1568×510 pixels, scaled down from 10973×3570.')
    const sent = sentImage((await received(model))[0]!)
    expect(readPngHeader(sent.bytes)).toMatchObject({ width: 1568, height: 510 })
  })

  it('a model that refuses leaves the image processed and unread, saying why', async () => {
    const model = unique('vision-refuses')
    await script(model, [{ status: 400, body: { error: { message: 'image format not supported', type: 'invalid_request_error' } } }])
    const file = await ingestWith(modelDeps({ VISION_MODEL: model }), w, 'cosmic.png', await fixtureBytes('samples/image/cosmic.png'))
    expect(file.status).toBe('processed')
    expect(file.status_details).toMatch(/^Not indexed: The vision model ".+" failed: .*image format not supported/)
    expect(await chunksOf(file.id)).toEqual([])
  })
})

describe('hostile images', () => {
  const EXPECTED: Record<string, RegExp | 'processed' | 'refused'> = {
    'broken.png': /^the PNG image is damaged: its header is missing$/,
    'truncated_image.png': /^the PNG image is damaged: it is cut off before its end$/,
    'truncated_app14.jpg': /^the JPEG image is damaged: /,
    // A well-formed 200×200 JPEG whose EXIF resolution has a zero denominator (it crashed Pillow): it decodes, so it is read.
    'exif-dpi-zerodivision.jpg': 'processed',
    'decompression_bomb.gif': 'refused',
  }

  it('are all accounted for', async () => {
    expect((await fixtureList('hostile/image')).map(nameOf).sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  it('end in error with a plain sentence before any model sees them (or are refused at upload)', async () => {
    for (const path of await fixtureList('hostile/image')) {
      const name = nameOf(path)
      const expected = EXPECTED[name]!
      const bytes = await fixtureBytes(path)
      if (expected === 'refused') {
        const res = await call('POST', '/files', { token: w.writer.token, form: uploadForm([[name, bytes]], { workspace: w.ws }) })
        expect(res.status, name).toBe(422)
        continue
      }
      const model = unique('vision-hostile')
      const file = await ingestWith(modelDeps({ VISION_MODEL: model }), w, name, bytes)
      if (expected === 'processed') {
        expect(file.status, `${name}: ${file.status_details}`).toBe('processed')
        continue
      }
      expect(file.status, name).toBe('error')
      expect(file.status_details, name).toMatch(expected)
      expect(file.status_details).not.toMatch(/\n|undefined|TypeError|\bat \S+ \(/)
      expect(await received(model), name).toEqual([])
      expect(await chunksOf(file.id)).toEqual([])
    }
  }, 30_000)

  it('end in error without a model too: damage is reported, not hidden behind "needs a model"', async () => {
    const bytes = await fixtureBytes('hostile/image/truncated_image.png')
    const uploaded = await (await call('POST', '/files', { token: w.writer.token, form: uploadForm([['t.png', bytes]], { workspace: w.ws }) })).json<any>()
    const file = await waitForIngest(w.writer.token, uploaded.id)
    expect(file.status).toBe('error')
    expect(file.status_details).toBe('the PNG image is damaged: it is cut off before its end')
  })
})

describe('recordings with a speech model', () => {
  it('every sample recording ends processed, with audio chunks carrying the segment times', async () => {
    for (const path of await audioSamples()) {
      const name = nameOf(path)
      const model = unique('speech')
      const word = `Zephyrsound${name.replace(/\W/g, '')}`
      await script(model, [{ body: { text: `And so ${word} my fellow Americans`, language: 'en', duration: 11, segments: [{ start: 0.5, end: 4.25, text: `And so ${word}` }, { start: 4.25, end: 11, text: 'my fellow Americans' }] } }])
      const file = await ingestWith(modelDeps({ SPEECH_MODEL: model }), w, name, await fixtureBytes(path))
      expect(file.status, `${name}: ${file.status_details}`).toBe('processed')
      expect(file.status_details).toBeNull()
      expect(file.perception_usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, audio_seconds: 11 })
      const chunks = await chunksOf(file.id)
      expect(chunks, name).toHaveLength(1)
      expect(chunks[0]).toMatchObject({ modality: 'audio', page: null, start_time: 0.5, end_time: 11, text: `And so ${word} my fellow Americans` })
      expect(await ftsHits(file.id, word.toLowerCase()), name).toBe(1)
      const [request] = await received(model)
      expect(request!.path).toBe('/v1/audio/transcriptions')
      expect((request!.body as { fileType: string }).fileType).toBe(name.endsWith('.wav') ? 'audio/wav' : 'audio/mpeg')
    }
  }, 60_000)

  it('a long transcript is grouped into passages of about a minute, each with its own time range', async () => {
    const model = unique('speech-long')
    const transcript = await fixtureText('samples/audio/jfk.transcript.txt')
    const segments = Array.from({ length: 6 }, (_, i) => ({ start: i * 25, end: i * 25 + 25, text: `${transcript.trim()} (part ${i + 1})` }))
    await script(model, [{ body: { text: segments.map((s) => s.text).join(' '), duration: 150, segments } }])
    const file = await ingestWith(modelDeps({ SPEECH_MODEL: model }), w, 'long.mp3', await fixtureBytes('samples/audio/jfk.mp3'))
    const chunks = await chunksOf(file.id)
    expect(chunks.map((c) => [c.start_time, c.end_time])).toEqual([
      [0, 50],
      [50, 100],
      [100, 150],
    ])
    for (const c of chunks) expect(c.modality).toBe('audio')
  })

  it('a recording over one call\'s 24 MB is transcribed in pieces, each piece\'s times shifted to where it starts', async () => {
    const model = unique('speech-pieces')
    const wav = await longWav(90) // 31.7 MB, 990 s of 16 kHz mono
    const { format } = readWav(wav)
    const pieceSeconds = Math.floor((MAX_AUDIO_PIECE_BYTES - 44) / format.blockAlign) * format.blockAlign / format.byteRate
    await script(model, [
      { body: { text: 'first piece words', duration: pieceSeconds, segments: [{ start: 1, end: 3, text: 'first piece words' }] } },
      { body: { text: 'second piece words', duration: 990 - pieceSeconds, segments: [{ start: 2, end: 5, text: 'second piece words' }] } },
    ])
    const file = await ingestWith(modelDeps({ SPEECH_MODEL: model, MAX_FILE_BYTES: String(40 * 1024 * 1024) }), w, 'long.wav', wav)
    expect(file.status, file.status_details).toBe('processed')
    expect(file.status_details).toBe('The recording was transcribed in 2 pieces.')
    const calls = await received(model)
    expect(calls).toHaveLength(2)
    const chunks = await chunksOf(file.id)
    expect(chunks.map((c) => [c.text, c.start_time, c.end_time])).toEqual([
      ['first piece words', 1, 3],
      ['second piece words', pieceSeconds + 2, pieceSeconds + 5],
    ])
    expect(file.perception_usage.audio_seconds).toBeCloseTo(990, 0)
  }, 60_000)

  it('silence ends processed with a sentence, not an error', async () => {
    const model = unique('speech-silence')
    await script(model, [{ body: { text: '', duration: 1, segments: [] } }])
    const file = await ingestWith(modelDeps({ SPEECH_MODEL: model }), w, 'silent_1s.wav', await fixtureBytes('samples/audio/silent_1s.wav'))
    expect(file.status).toBe('processed')
    expect(file.status_details).toBe('No speech was found in this recording.')
    expect(file.progress.chunks).toBe(0)
    expect(file.perception_usage.audio_seconds).toBe(1)
  })
})

describe('without models', () => {
  it('images and recordings end processed, saying what was not read and how to enable it', async () => {
    for (const [path, role] of [
      ['samples/image/testocr.jpg', 'VISION_MODEL'],
      ['samples/image/bill.png', 'VISION_MODEL'],
      ['samples/audio/jfk.wav', 'SPEECH_MODEL'],
      ['samples/audio/jfk.mp3', 'SPEECH_MODEL'],
    ] as const) {
      const res = await call('POST', '/files', { token: w.writer.token, form: uploadForm([[nameOf(path), await fixtureBytes(path)]], { workspace: w.ws }) })
      const file = await waitForIngest(w.writer.token, ((await res.json()) as { id: string }).id)
      expect(file.status, path).toBe('processed')
      expect(file.status_details, path).toMatch(new RegExp(`^Not indexed: .* needs a (vision|speech) model to be read, and none is configured \\(set MODEL_PROVIDER and ${role}\\)\\.$`))
      expect(file.progress.chunks).toBe(0)
    }
  }, 30_000)
})
