import { describe, expect, it } from 'vitest'
import type { VisionModel } from '../models/ports'
import { researchTools, type ToolContext } from './tools'

/** Only `deps.vision` decides which tools are offered and how `look_at_page` is described. */
const context = (vision: Partial<VisionModel> | null) => ({ deps: { vision } }) as unknown as ToolContext

describe('the research tools offered to the reasoning model', () => {
  it('offer no look_at_page without a vision model', () => {
    expect(Object.keys(researchTools(context(null)))).not.toContain('look_at_page')
  })

  it('describe look_at_page by what the vision model can do: see a picture, or only read its words', () => {
    const seeing = researchTools(context({ modelId: '@cf/meta/llama-4-scout-17b-16e-instruct', readsTextOnly: false })).look_at_page!
    expect(seeing.description).toMatch(/^Look at the picture .* ask about what it shows/)
    const reading = researchTools(context({ modelId: 'tesseract-eng', readsTextOnly: true })).look_at_page!
    expect(reading.description).toMatch(/^Read the words printed on the picture .* with OCR/)
    expect(reading.description).toContain('cannot describe shapes, colours or what a picture shows')
  })
})
