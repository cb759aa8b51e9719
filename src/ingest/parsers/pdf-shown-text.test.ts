import { strToU8, zlibSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { expandingPdf } from '../../../test/support/amplifying-files.mjs'
import { shownTextBytes } from './pdf-shown-text'

const NO_CAPS = { perStream: Number.POSITIVE_INFINITY, total: Number.POSITIVE_INFINITY, inflatedPerStream: Number.POSITIVE_INFINITY }

/** A file holding the given streams as objects, enough for the scan (no xref: it reads streams, not the structure). */
function withStreams(...streams: [dictionary: string, data: Uint8Array][]): Uint8Array {
  const parts: Uint8Array[] = [strToU8('%PDF-1.4\n')]
  streams.forEach(([dictionary, data], i) => {
    parts.push(strToU8(`${i + 1} 0 obj\n<< ${dictionary} /Length ${data.length} >>\nstream\n`), data, strToU8('\nendstream\nendobj\n'))
  })
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) out.set(p, (at += p.length) - p.length)
  return out
}

describe('shownTextBytes', () => {
  it('counts the strings a page shows, through FlateDecode', () => {
    const shown = shownTextBytes(expandingPdf({ lines: 1_000, lineChars: 100 }), NO_CAPS)
    expect(shown).toEqual({ largest: 100_000, total: 100_000, over: null })
  })

  it('stops soon after a stream passes the cap, and says which cap', () => {
    const started = performance.now()
    const shown = shownTextBytes(expandingPdf(), { perStream: 1_000_000, total: 10_000_000, inflatedPerStream: 64 * 1024 * 1024 })
    expect(shown.over).toBe('stream')
    expect(shown.largest).toBeGreaterThan(1_000_000)
    expect(shown.largest).toBeLessThan(6_000_000)
    expect(performance.now() - started).toBeLessThan(2_000)
  })

  it('adds streams up against the total cap', () => {
    const page = zlibSync(strToU8('BT (abcdefghij) Tj ET'))
    const pdf = withStreams(['/Filter /FlateDecode', page], ['/Filter [/FlateDecode]', page], ['', strToU8('BT (abcdefghij) Tj ET')])
    expect(shownTextBytes(pdf, NO_CAPS)).toEqual({ largest: 10, total: 30, over: null })
    expect(shownTextBytes(pdf, { perStream: 100, total: 25, inflatedPerStream: 1_000 }).over).toBe('total')
  })

  it('counts hex strings by their bytes and nested or escaped parentheses as text', () => {
    const pdf = withStreams(['', strToU8('BT <00410042> Tj [(a\\)b) 5 (c(d)e)] TJ << /MCID 0 >> BDC EMC % (not text)\nET')])
    // <00410042>: 4 bytes; (a\)b): 4; (c(d)e): 5.
    expect(shownTextBytes(pdf, NO_CAPS).total).toBe(13)
  })

  it('leaves images, fonts, other filters and inline image data out', () => {
    const binary = Uint8Array.from({ length: 4_000 }, (_, i) => (i * 97) & 0xff)
    const inline = new Uint8Array([...strToU8('BI /W 10 /H 10 /BPC 8 /CS /G ID '), ...binary, ...strToU8(' EI (ok) Tj')])
    const pdf = withStreams(
      ['/Type /XObject /Subtype /Image /Width 10 /Height 10 /Filter /FlateDecode', zlibSync(binary)],
      ['/Length1 4000 /Filter /FlateDecode', zlibSync(binary)],
      ['/Filter /LZWDecode', binary],
      ['', inline],
    )
    expect(shownTextBytes(pdf, NO_CAPS).total).toBe(2)
  })

  it('stops a stream of drawing operators that inflates past its cap, though it shows no text', () => {
    const bomb = withStreams(['/Filter /FlateDecode', zlibSync(new Uint8Array(20_000_000).fill(0x20), { level: 9 })])
    expect(shownTextBytes(bomb, { perStream: 1_000, total: 1_000, inflatedPerStream: 1_000_000 }).over).toBe('inflated')
  })
})
