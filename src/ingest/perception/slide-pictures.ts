/**
 * @module Pictures placed on slides, read by the vision model within the file's page budget. Per
 * slide, the first PNG or JPEG picture of a useful size (at least `MIN_PICTURE_SIDE` px on its
 * short side) not already read on an earlier slide — a logo on every slide is read once — is
 * prepared as an uploaded image is (upright, scaled) and described; what the model reads becomes
 * image chunks of that slide, after its text. Slides are claimed in the same `vision_pages` budget
 * as PDF pages, and the file reports them the same way.
 */
import type { Models } from '../../models/ports'
import type { EmbeddedPicture, ParseResult, Segment } from '../segment'
import { prepareImage } from './image-prep'
import { readJpegHeader } from './jpeg-decode'
import type { Candidate } from './page-selection'
import { inPageOrder, pageTextEnds, readPages } from './page-reading'
import type { PartPerception } from './part-note'
import { readPngHeader } from './png-decode'
import { slidePrompt } from './prompts'
import { claimVisionPages } from './vision-budget'

/** Smaller pictures are bullets, icons and rules: nothing to read. */
export const MIN_PICTURE_SIDE = 100

export type SlidePicturesDeps = { d1: D1Database; models: Pick<Models, 'vision'>; budget: number }

export async function readSlidePictures(
  deps: SlidePicturesDeps,
  fileId: string,
  parsed: ParseResult,
): Promise<{ segments: Segment[]; perception: PartPerception | null; note: string | null }> {
  const vision = deps.models.vision
  const bySlide = vision ? picturesWorthReading(parsed.pictures ?? []) : new Map<number, EmbeddedPicture>()
  if (!vision || bySlide.size === 0) return { segments: parsed.segments, perception: null, note: null }
  const candidates: Candidate[] = [...bySlide.keys()].map((page) => ({ page, reason: 'figure' }))
  const granted = await claimVisionPages(deps.d1, fileId, candidates.map((c) => c.page), deps.budget)
  const reading = await readPages(
    vision,
    candidates.filter((c) => granted.has(c.page)),
    async (page) => {
      const picture = bySlide.get(page)!
      try {
        const prepared = await prepareImage(picture.read(), picture.kind)
        return { bytes: prepared.bytes, mediaType: prepared.mediaType }
      } catch {
        return null
      }
    },
    pageTextEnds(parsed.segments),
    (c) => slidePrompt(c.page),
  )
  const seen = new Set(reading.seen)
  const notes = reading.refused.map(({ page, reason }) => `The vision model could not read the picture on slide ${page}: ${reason.replace(/\.$/, '')}.`)
  return {
    segments: inPageOrder(parsed.segments, reading.segments),
    perception: {
      pagesRendered: 0,
      pagesSeen: seen.size,
      pagesSkipped: candidates.filter((c) => !seen.has(c.page)).length,
      scansUnread: 0,
      visionConfigured: true,
      budget: deps.budget,
    },
    note: notes.length > 0 ? notes.join(' ') : null,
  }
}

/** Per slide, its first picture worth reading: large enough, sound, and not read on an earlier slide. */
function picturesWorthReading(pictures: readonly EmbeddedPicture[]): Map<number, EmbeddedPicture> {
  const chosen = new Map<number, EmbeddedPicture>()
  const looked = new Set<string>()
  for (const picture of pictures) {
    if (chosen.has(picture.page) || looked.has(picture.name)) continue
    looked.add(picture.name)
    if (largeEnough(picture)) chosen.set(picture.page, picture)
  }
  return chosen
}

function largeEnough(picture: EmbeddedPicture): boolean {
  try {
    const bytes = picture.read()
    const { width, height } = picture.kind === 'png' ? readPngHeader(bytes) : readJpegHeader(bytes)
    return Math.min(width, height) >= MIN_PICTURE_SIDE
  } catch {
    // Damaged, or over the package's limits: not worth a model's time, and the slide's text stands.
    return false
  }
}
