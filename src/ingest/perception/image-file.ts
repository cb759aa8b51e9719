/**
 * @module An uploaded image (PNG, JPEG) read by the vision model: checked and scaled (`image-prep`),
 * then described, with every piece of visible text transcribed. The answer becomes the file's
 * chunks, modality `image`, cited to the file. Without a vision model the image is still checked,
 * then kept unread with a sentence saying how to have it read.
 */
import type { VisionModel } from '../../models/ports'
import type { Segment } from '../segment'
import { prepareImage } from './image-prep'
import { IMAGE_PROMPT, MAX_OUTPUT_TOKENS } from './prompts'

export type Perceived = { segments: Segment[]; note: string | null }

export const NO_VISION_MODEL =
  'Not indexed: an image needs a vision model to be read, and none is configured (set MODEL_PROVIDER and VISION_MODEL).'

/** Rejects with an `IngestError` for a damaged or oversized image; a model failure is the caller's (retry or refusal). */
export async function perceiveImage(vision: VisionModel | null, bytes: Uint8Array, kind: 'png' | 'jpeg'): Promise<Perceived> {
  const image = await prepareImage(bytes, kind)
  if (!vision) return { segments: [], note: NO_VISION_MODEL }
  const text = (await vision.describe({ image: image.bytes, mediaType: image.mediaType, prompt: IMAGE_PROMPT, maxOutputTokens: MAX_OUTPUT_TOKENS })).trim()
  const scaled = image.scaled ? ` It was read at ${image.width}×${image.height} pixels, scaled down from ${image.original.width}×${image.original.height}.` : ''
  if (!text) return { segments: [], note: `The vision model found nothing to read or describe in this image.${scaled}` }
  return {
    segments: [{ text, provenance: { modality: 'image' }, charStart: 0, charEnd: text.length }],
    note: scaled ? scaled.trim() : null,
  }
}
