/**
 * @module Plain text: one segment, the whole text; the chunker splits it at paragraphs,
 * sentences and words.
 */
import { segmentBuilder } from '../segment-builder'
import { readTextFile, type Parser } from './parser'

export const parseText: Parser = async (bytes, { limits, output }) => {
  const out = segmentBuilder(output)
  out.text(readTextFile(bytes, limits, 'text file'), { modality: 'text' })
  return { segments: out.segments }
}
