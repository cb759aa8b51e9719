import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { sniffFileType } from './file-type'

const text = (s: string) => new TextEncoder().encode(s)
const bytes = (...b: number[]) => new Uint8Array(b)
const ole = (extra: Uint8Array = new Uint8Array(0)) => {
  const out = new Uint8Array(512 + extra.length)
  out.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
  out.set(extra, 512)
  return out
}
const office = (main: string) => zipSync({ '[Content_Types].xml': strToU8('<Types/>'), [main]: strToU8('<x/>') })

function expectRefused(result: ReturnType<typeof sniffFileType>, pattern: RegExp) {
  expect(result.ok).toBe(false)
  if (!result.ok) expect(result.reason).toMatch(pattern)
}

describe('sniffFileType', () => {
  it('recognises each format when bytes and extension agree', () => {
    expect(sniffFileType(text('%PDF-1.7\n…'), 'a.pdf')).toEqual({ ok: true, kind: 'pdf' })
    expect(sniffFileType(office('word/document.xml'), 'a.docx')).toEqual({ ok: true, kind: 'docx' })
    expect(sniffFileType(office('ppt/presentation.xml'), 'a.PPTX')).toEqual({ ok: true, kind: 'pptx' })
    expect(sniffFileType(office('xl/workbook.xml'), 'a.xlsx')).toEqual({ ok: true, kind: 'xlsx' })
    expect(sniffFileType(text('a,b\n1,2\n'), 'a.csv')).toEqual({ ok: true, kind: 'csv' })
    expect(sniffFileType(text('# Title\n<b>html</b>'), 'a.md')).toEqual({ ok: true, kind: 'markdown' })
    expect(sniffFileType(text('{"a":1}'), 'a.json')).toEqual({ ok: true, kind: 'json' })
    expect(sniffFileType(text('\uFEFFhello'), 'notes.txt')).toEqual({ ok: true, kind: 'text' })
    expect(sniffFileType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0), 'a.png')).toEqual({ ok: true, kind: 'png' })
    expect(sniffFileType(bytes(0xff, 0xd8, 0xff, 0xe0), 'a.jpg')).toEqual({ ok: true, kind: 'jpeg' })
    expect(sniffFileType(text('RIFF\0\0\0\0WAVEfmt '), 'a.wav')).toEqual({ ok: true, kind: 'wav' })
    expect(sniffFileType(bytes(0x49, 0x44, 0x33, 0x04, 0x00, 0x00), 'a.mp3')).toEqual({ ok: true, kind: 'mp3' })
    expect(sniffFileType(bytes(0xff, 0xfb, 0x90, 0x64), 'a.mp3')).toEqual({ ok: true, kind: 'mp3' })
  })

  it('refuses a .pdf that is not a PDF, and a PDF under another name', () => {
    expectRefused(sniffFileType(text('just some text'), 'report.pdf'), /named \.pdf but its content is not a PDF/)
    expectRefused(sniffFileType(text('%PDF-1.4 …'), 'report.txt'), /named \.txt but its content is a PDF/)
    expectRefused(sniffFileType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), 'photo.jpg'), /is a PNG image/)
  })

  it('does not mistake text that mentions a signature for that format', () => {
    expect(sniffFileType(text('Every PDF starts with %PDF-1.x; ID3 tags hold MP3 titles.'), 'notes.md')).toEqual({ ok: true, kind: 'markdown' })
    expect(sniffFileType(text('ID3 tags explained'), 'id3.txt')).toEqual({ ok: true, kind: 'text' })
    expect(sniffFileType(text('garbage before\n%PDF-1.4\n…'), 'scan.pdf')).toEqual({ ok: true, kind: 'pdf' })
  })

  it('tells the Office formats apart by their parts', () => {
    expectRefused(sniffFileType(office('xl/workbook.xml'), 'a.docx'), /named \.docx but its content is an Excel spreadsheet/)
    expectRefused(sniffFileType(zipSync({ 'readme.txt': strToU8('hi') }), 'a.pptx'), /ZIP archive, not a PowerPoint/)
    expectRefused(sniffFileType(office('word/document.xml'), 'a.csv'), /named \.csv but its content is a ZIP archive/)
  })

  it('finds a main part named only in [Content_Types].xml', () => {
    const zip = zipSync({
      '[Content_Types].xml': strToU8(
        '<Types><Override PartName="/main.xml" ContentType="application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml"/></Types>',
      ),
      'main.xml': strToU8('<x/>'),
    })
    expect(sniffFileType(zip, 'deck.pptx')).toEqual({ ok: true, kind: 'pptx' })
  })

  it('lets a damaged Office ZIP through, for its parser to end in error', () => {
    const zip = office('word/document.xml')
    expect(sniffFileType(zip.subarray(0, 40), 'a.docx')).toEqual({ ok: true, kind: 'docx' })
  })

  it('passes password-protected Office files on and refuses old binary Office files', () => {
    const marker = new Uint8Array(Array.from('EncryptedPackage', (c) => [c.charCodeAt(0), 0]).flat())
    expect(sniffFileType(ole(marker), 'secret.docx')).toEqual({ ok: true, kind: 'docx' })
    expectRefused(sniffFileType(ole(), 'old.xlsx'), /old Office 97–2003 file/)
  })

  it('wants text formats as UTF-8 without NUL bytes', () => {
    expectRefused(sniffFileType(bytes(0x63, 0x61, 0x66, 0xe9), 'a.txt'), /not valid UTF-8/)
    expectRefused(sniffFileType(bytes(0x61, 0x2c, 0x00, 0x62), 'a.csv'), /NUL bytes/)
    expectRefused(sniffFileType(bytes(0xff, 0xfe, 0x7b, 0x00), 'a.json'), /UTF-16/)
  })

  it('refuses markup saved under a text extension', () => {
    expectRefused(sniffFileType(text('<?xml version="1.0"?><article/>'), 'paper.txt'), /content is an XML document/)
    expectRefused(sniffFileType(text('  <!DOCTYPE html><html></html>'), 'page.txt'), /content is an HTML page/)
  })

  it('refuses empty files and unknown extensions, naming what is read', () => {
    expectRefused(sniffFileType(new Uint8Array(0), 'a.txt'), /the file is empty/)
    expectRefused(sniffFileType(text('GIF89a'), 'anim.gif'), /does not read \.gif files; it reads \.pdf, .*\.mp3/)
    expectRefused(sniffFileType(text('x'), 'Makefile'), /files without an extension/)
  })
})
