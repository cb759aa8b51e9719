/**
 * @module What the vision model is asked. Its answer becomes chunks that are searched and quoted,
 * so the prompts ask for the words first, verbatim, then a description of what has no words.
 */

export const IMAGE_PROMPT = [
  'You are indexing an image for search.',
  'First transcribe every piece of visible text exactly as written, keeping line breaks and the layout of tables (as Markdown tables).',
  'Then describe what the image shows: for a chart, its title, axes, series and the values it shows; for a diagram, its parts and how they connect; for a photo, its subject and setting.',
  'Answer in plain text, without preamble. If the image holds nothing to read or describe, answer with nothing.',
].join(' ')

export function pagePrompt(page: number, reason: 'scan' | 'figure'): string {
  const focus =
    reason === 'scan'
      ? 'The page has little or no extractable text (it may be a scan): transcribe all of its text exactly, in reading order, keeping tables as Markdown tables.'
      : 'The page has figures, charts or diagrams: describe each of them (titles, axes, series, values, labels, parts and how they connect), and transcribe any text inside them.'
  return `You are indexing page ${page} of a PDF for search. ${focus} Answer in plain text, without preamble. If there is nothing to read or describe, answer with nothing.`
}

export function slidePrompt(slide: number): string {
  return `You are indexing the picture on slide ${slide} of a presentation for search. First transcribe every piece of visible text exactly as written, keeping tables as Markdown tables. Then describe what it shows: for a chart, its title, axes, series and values; for a diagram, its parts, labels, dimensions and how they connect; for a photo, its subject. Answer in plain text, without preamble. If there is nothing to read or describe, answer with nothing.`
}

/** Enough for a dense page of text; a model that would say more is cut off rather than billed on. */
export const MAX_OUTPUT_TOKENS = 2048
