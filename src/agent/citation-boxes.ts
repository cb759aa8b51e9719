/**
 * @module Boxes for an answer's evidence, added once the answer is written: around each citation's
 * quote (looked for inside the passage it was taken from) and around each relevant doc's text, on
 * their PDF pages. One read per page cited, all in parallel; a passage without positions has none.
 */
import { locatePassages, type PassageRequest } from '../search'
import type { FileCitation, RelevantDoc } from './citations'

/** Sets `file_citation.boxes` on the annotations and returns the docs with their `boxes`. */
export async function drawEvidence(blobs: R2Bucket, annotations: FileCitation[], docs: readonly RelevantDoc[]): Promise<RelevantDoc[]> {
  const passages = new Map(docs.map((d) => [d.chunk_id, d.text]))
  const requests: PassageRequest[] = [
    ...annotations.map(({ file_citation: c }) => ({ fileId: c.file_id, page: c.page, passage: c.quote, ...(passages.has(c.chunk_id) && { within: passages.get(c.chunk_id)! }) })),
    ...docs.map((d) => ({ fileId: d.file_id, page: d.page, passage: d.text })),
  ]
  const boxes = await locatePassages(blobs, requests)
  annotations.forEach((annotation, i) => {
    const found = boxes[i]
    if (found) annotation.file_citation.boxes = found
    else delete annotation.file_citation.boxes
  })
  return docs.map((doc, i) => {
    const found = boxes[annotations.length + i]
    const { boxes: _, ...rest } = doc
    return found ? { ...rest, boxes: found } : rest
  })
}
