/**
 * A search hit for unit tests: a text chunk of `<chunkId>.pdf` on page 1, no metadata, score 1;
 * any field can be overridden.
 */
import type { ChunkHit } from '../../src/search/chunk-hits'

export function chunkHit(chunkId: string, text: string, over: Partial<ChunkHit> = {}): ChunkHit {
  return {
    chunkId,
    fileId: `file-${chunkId}`,
    filename: `${chunkId}.pdf`,
    text,
    heading: null,
    page: 1,
    sheet: null,
    rows: null,
    startTime: null,
    endTime: null,
    modality: 'text',
    fileMetadata: {},
    score: 1,
    ...over,
  }
}
