import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { DamagedFileError, LimitExceededError } from '../errors'
import { DEFAULT_LIMITS } from '../limits'
import { openZip } from './zip-reader'

const MB = 1024 * 1024
const limits = { ...DEFAULT_LIMITS, maxPartBytes: MB, maxInflatedBytes: 2 * MB, maxArchiveEntries: 20 }

/** Rewrites the declared uncompressed size of every entry, in local headers and the central directory. */
function lieAboutSizes(zip: Uint8Array, size: number): Uint8Array {
  const out = zip.slice()
  const view = new DataView(out.buffer)
  for (let i = 0; i + 4 <= out.length; i++) {
    const sig = view.getUint32(i, true)
    if (sig === 0x04034b50) view.setUint32(i + 22, size, true)
    if (sig === 0x02014b50) view.setUint32(i + 24, size, true)
  }
  return out
}

describe('openZip', () => {
  it('lists entries from the central directory and inflates one on demand', () => {
    const zip = openZip(zipSync({ 'a.xml': strToU8('<a>hello</a>'), 'b/c.txt': strToU8('x'.repeat(10_000)) }), limits)
    expect([...zip.entries.keys()]).toEqual(['a.xml', 'b/c.txt'])
    expect(zip.inflatedBytes).toBe(0)
    expect(new TextDecoder().decode(zip.read('a.xml'))).toBe('<a>hello</a>')
    expect(zip.inflatedBytes).toBe(12)
  })

  it('refuses a decompression bomb while inflating, not after', () => {
    const bomb = zipSync({ 'sheet.xml': new Uint8Array(32 * MB) }, { level: 9 })
    expect(bomb.length).toBeLessThan(64 * 1024)
    const zip = openZip(bomb, limits, 'the spreadsheet')
    expect(() => zip.read('sheet.xml')).toThrow(LimitExceededError)
    expect(() => zip.read('sheet.xml')).toThrow('the spreadsheet expands past the size limit (1 MB)')
    // Inflation stopped within one push of the cap instead of producing 32 MB.
    expect(zip.inflatedBytes).toBeLessThan(4 * MB)
  })

  it('never trusts declared sizes: a lying entry is still capped, an honest read still complete', () => {
    const data = new Uint8Array(3 * MB).fill(7)
    const lying = lieAboutSizes(zipSync({ 'part.xml': data }), 10)
    expect(() => openZip(lying, limits).read('part.xml')).toThrow(LimitExceededError)
    const roomy = openZip(lying, { ...limits, maxPartBytes: 4 * MB, maxInflatedBytes: 4 * MB })
    expect(roomy.read('part.xml').length).toBe(3 * MB)
  })

  it('caps the bytes inflated across all parts of an archive', () => {
    const zip = openZip(zipSync({ a: new Uint8Array(Math.floor(0.9 * MB)), b: new Uint8Array(Math.floor(0.9 * MB)), c: new Uint8Array(Math.floor(0.9 * MB)) }), limits)
    zip.read('a')
    zip.read('b')
    expect(() => zip.read('c')).toThrow(LimitExceededError)
  })

  it('refuses too many entries before inflating anything', () => {
    const files = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}.xml`, strToU8('x')]))
    expect(() => openZip(zipSync(files), limits)).toThrow('holds 25 parts, more than the 20 Cairn accepts')
  })

  it('says a truncated or corrupt archive is damaged', () => {
    const zip = zipSync({ 'a.xml': strToU8('<a>'.repeat(1000)) })
    expect(() => openZip(zip.subarray(0, zip.length - 30), limits)).toThrow(DamagedFileError)
    expect(() => openZip(strToU8('PK\u0003\u0004 not really a zip'), limits)).toThrow(/central directory\) is missing/)
    const corrupt = zip.slice()
    corrupt.fill(0xff, 40, 60)
    expect(() => openZip(corrupt, limits).read('a.xml')).toThrow(DamagedFileError)
  })

  it('says an encrypted entry needs a password and a missing one is missing', () => {
    const zip = zipSync({ 'a.xml': strToU8('<a/>') })
    const view = new DataView(zip.buffer)
    for (let i = 0; i + 4 <= zip.length; i++) if (view.getUint32(i, true) === 0x02014b50) view.setUint16(i + 8, 1, true)
    const archive = openZip(zip, limits, 'the document')
    expect(() => archive.read('a.xml')).toThrow('the document is encrypted and needs a password')
    expect(() => archive.read('b.xml')).toThrow('the part b.xml is missing')
  })
})
