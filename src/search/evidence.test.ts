import { describe, expect, it } from 'vitest'
import { chunkHit } from '../../test/support/chunk-hit'
import type { ChunkHit } from './chunk-hits'
import { evidenceFields } from './evidence'

const hit = (over: Partial<ChunkHit>): ChunkHit =>
  chunkHit('file-1:p3:0', 'Stage separation occurs at T+128 s.', { fileId: 'file-1', filename: 'guide.pdf', page: 3, fileMetadata: { author: 'nasa' }, score: 0.0164, ...over })

describe('evidenceFields', () => {
  it('always has the citation essentials, page null where the format has none', () => {
    expect(evidenceFields(hit({}))).toEqual({
      file_id: 'file-1',
      filename: 'guide.pdf',
      chunk_id: 'file-1:p3:0',
      score: 0.0164,
      modality: 'text',
      page: 3,
      file_metadata: { author: 'nasa' },
    })
    expect(evidenceFields(hit({ page: null })).page).toBeNull()
  })

  it('adds sheet and rows for tables, times for audio, the heading path where there is one', () => {
    expect(evidenceFields(hit({ page: null, sheet: 'Q3', rows: [2, 40], modality: 'table' }))).toMatchObject({ sheet: 'Q3', rows: [2, 40], page: null })
    expect(evidenceFields(hit({ page: null, startTime: 12.5, endTime: 30, modality: 'audio' }))).toMatchObject({ start_time: 12.5, end_time: 30 })
    expect(evidenceFields(hit({ heading: 'Launch > Ascent' })).heading).toBe('Launch > Ascent')
    expect(evidenceFields(hit({ heading: '' }))).not.toHaveProperty('heading')
  })

  it('keeps a time of zero', () => {
    expect(evidenceFields(hit({ startTime: 0, endTime: 4.2 }))).toMatchObject({ start_time: 0, end_time: 4.2 })
  })

  it('adds boxes only where the hit has them', () => {
    const boxes = [{ x: 0.1, y: 0.2, w: 0.5, h: 0.02 }]
    expect(evidenceFields(hit({ boxes })).boxes).toEqual(boxes)
    expect(evidenceFields(hit({}))).not.toHaveProperty('boxes')
  })
})
