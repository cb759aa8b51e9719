import { describe, expect, it } from 'vitest'
import { decodePageLayout, encodePageLayout } from './page-layout'

describe('the stored page layout', () => {
  it('keeps text and boxes (to 4 decimals) and items without a box', () => {
    const json = encodePageLayout({ items: [{ text: 'Net sales ', box: { x: 0.123456, y: 0.5, w: 0.25, h: 0.0151515 } }, { text: '\n', box: null }] })
    expect(json).toBe('{"v":1,"items":[["Net sales ",0.1235,0.5,0.25,0.0152],["\\n"]]}')
    expect(decodePageLayout(json)).toEqual({ items: [{ text: 'Net sales ', box: { x: 0.1235, y: 0.5, w: 0.25, h: 0.0152 } }, { text: '\n', box: null }] })
  })

  it('reads anything else as no layout', () => {
    for (const bad of ['', 'null', '{"v":2,"items":[]}', '{"v":1,"items":[[1,2]]}', '{"v":1,"items":[["a",0.1,"x",0.1,0.1]]}', '{"v":1}']) {
      expect(decodePageLayout(bad), bad).toBeNull()
    }
  })
})
