import { strToU8, zipSync } from 'fflate'
import { describe, expect, it } from 'vitest'
import { DamagedFileError, LimitExceededError } from '../errors'
import { resolveLimits, startDeadline, type Limits } from '../limits'
import { outputMeter } from '../output-meter'
import { parseDocx } from './docx'
import { parsePptx } from './pptx'
import { parseXlsx } from './xlsx'

const ctx = (overrides: Partial<Limits> = {}) => ({ limits: resolveLimits(overrides), deadline: startDeadline(10_000), output: outputMeter(resolveLimits(overrides)) })
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
const rels = (items: [string, string, string][]) =>
  `<Relationships>${items.map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`).join('')}</Relationships>`

function docx(body: string, extra: Record<string, string> = {}): Uint8Array {
  return zipSync({
    '[Content_Types].xml': strToU8('<Types/>'),
    '_rels/.rels': strToU8(rels([['r1', 'officeDocument', 'word/document.xml']])),
    'word/_rels/document.xml.rels': strToU8(rels([['r1', 'styles', 'styles.xml']])),
    'word/styles.xml': strToU8(
      `<w:styles ${W}><w:style w:type="paragraph" w:styleId="H1"><w:name w:val="heading 1"/></w:style><w:style w:type="paragraph" w:styleId="Sub"><w:name w:val="My Sub"/><w:basedOn w:val="H1"/></w:style><w:style w:type="paragraph" w:styleId="H2"><w:name w:val="heading 2"/></w:style></w:styles>`,
    ),
    'word/document.xml': strToU8(`<w:document ${W}><w:body>${body}</w:body></w:document>`),
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, strToU8(v)])),
  })
}
const p = (text: string, style?: string) => `<w:p>${style ? `<w:pPr><w:pStyle w:val="${style}"/></w:pPr>` : ''}<w:r><w:t>${text}</w:t></w:r></w:p>`

describe('parseDocx', () => {
  it('groups paragraphs under heading paths resolved through basedOn', async () => {
    const { segments } = await parseDocx(docx(p('intro') + p('Chapter', 'H1') + p('body one') + p('Part', 'H2') + p('body two') + p('Other', 'Sub')), ctx())
    expect(segments.map((s) => [s.provenance.heading ?? [], s.text])).toEqual([
      [[], 'intro'],
      [['Chapter'], 'Chapter\nbody one'],
      [['Chapter', 'Part'], 'Part\nbody two'],
      [['Other'], 'Other'],
    ])
  })

  it('renders tables as Markdown with spans repeated', async () => {
    const cell = (t: string, pr = '') => `<w:tc>${pr ? `<w:tcPr>${pr}</w:tcPr>` : ''}${p(t)}</w:tc>`
    const table = `<w:tbl><w:tr>${cell('A')}${cell('B')}${cell('C')}</w:tr><w:tr>${cell('wide', '<w:gridSpan w:val="2"/>')}${cell('down', '<w:vMerge w:val="restart"/>')}</w:tr><w:tr>${cell('x')}${cell('y')}${cell('', '<w:vMerge/>')}</w:tr></w:tbl>`
    const { segments } = await parseDocx(docx(table), ctx())
    expect(segments[0]!.provenance.modality).toBe('table')
    expect(segments[0]!.text).toBe('| A | B | C |\n| --- | --- | --- |\n| wide | wide | down |\n| x | y | down |')
  })

  it('does not expand entities: a document with a DOCTYPE is refused', async () => {
    const bytes = zipSync({
      '_rels/.rels': strToU8(rels([['r1', 'officeDocument', 'word/document.xml']])),
      'word/document.xml': strToU8(`<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document ${W}><w:body>${p('&x;')}</w:body></w:document>`),
    })
    await expect(parseDocx(bytes, ctx())).rejects.toThrow(DamagedFileError)
    await expect(parseDocx(bytes, ctx())).rejects.toThrow('refused as unsafe')
  })

  it('refuses a document part that inflates past the cap', async () => {
    const padding = `<w:p>${'<w:r><w:t>aaaaaaaaaa</w:t></w:r>'.repeat(100_000)}</w:p>`
    await expect(parseDocx(docx(padding), ctx({ maxPartBytes: 256 * 1024 }))).rejects.toThrow('the document expands past the size limit (256 KB)')
  })

  it('refuses XML nested past the depth cap', async () => {
    const deep = `${'<w:sdt><w:sdtContent>'.repeat(200)}${p('x')}${'</w:sdtContent></w:sdt>'.repeat(200)}`
    await expect(parseDocx(docx(deep), ctx({ maxXmlDepth: 128 }))).rejects.toBeInstanceOf(LimitExceededError)
  })
})

const S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
function xlsx(sheetData: string, sharedStrings: string[] = []): Uint8Array {
  return zipSync({
    '_rels/.rels': strToU8(rels([['r1', 'officeDocument', 'xl/workbook.xml']])),
    'xl/workbook.xml': strToU8(`<workbook ${S}><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    'xl/_rels/workbook.xml.rels': strToU8(
      rels([['rId1', 'worksheet', 'worksheets/sheet1.xml'], ['rId2', 'sharedStrings', 'sharedStrings.xml'], ['rId3', 'styles', 'styles.xml']]),
    ),
    'xl/sharedStrings.xml': strToU8(`<sst ${S}>${sharedStrings.map((s) => `<si><t>${s}</t></si>`).join('')}</sst>`),
    'xl/styles.xml': strToU8(`<styleSheet ${S}><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`),
    'xl/worksheets/sheet1.xml': strToU8(`<worksheet ${S}><sheetData>${sheetData}</sheetData></worksheet>`),
  })
}

describe('parseXlsx', () => {
  it('reads shared, inline, boolean, formula and date cells with sheet row numbers', async () => {
    const rows =
      '<row r="3"><c r="B3" t="s"><v>0</v></c><c r="C3" t="s"><v>1</v></c></row>' +
      '<row r="4"><c r="B4" t="inlineStr"><is><t>inline</t></is></c><c r="C4" s="1"><v>44927</v></c></row>' +
      '<row r="5"><c r="B5" t="b"><v>1</v></c><c r="C5"><f>1/3</f><v>0.33333333333333331</v></c></row>'
    const { segments } = await parseXlsx(xlsx(rows, ['Name', 'When']), ctx())
    expect(segments).toHaveLength(1)
    expect(segments[0]!.provenance).toEqual({ sheet: 'Data', rows: [4, 5], modality: 'table' })
    expect(segments[0]!.text).toBe('| Name | When |\n| --- | --- |\n| inline | 2023-01-01 |\n| TRUE | 0.333333333333333 |')
  })

  it('reads a sheet larger than one parse batch whole, in order', async () => {
    const rows = Array.from({ length: 30_000 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c><c r="B${i + 1}" t="inlineStr"><is><t>name ${i}</t></is></c></row>`)
    const bytes = xlsx(rows.join(''))
    expect(rows.join('').length).toBeGreaterThan(2 * 1024 * 1024)
    const { segments } = await parseXlsx(bytes, ctx())
    const table = segments[0]!.table!
    expect(table.header.split('\n')[0]).toBe('| 0 | name 0 |')
    expect(table.rows).toHaveLength(29_999)
    expect(table.rows[29_998]).toEqual({ text: '| 29999 | name 29999 |', row: 30_000 })
  })

  it('refuses sheets past the row and cell caps', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `<row r="${i + 1}"><c r="A${i + 1}"><v>${i}</v></c><c r="B${i + 1}"><v>${i}</v></c></row>`).join('')
    await expect(parseXlsx(xlsx(rows), ctx({ maxRowsPerSheet: 10 }))).rejects.toThrow('the sheet "Data" has more than 10 rows')
    await expect(parseXlsx(xlsx(rows), ctx({ maxCellsPerSheet: 25 }))).rejects.toThrow('more than 25 filled cells')
  })

  it('refuses a sheet that inflates past the cap, as a spreadsheet', async () => {
    const rows = '<row r="1"><c r="A1"><v>1</v></c></row>'.repeat(40_000)
    await expect(parseXlsx(xlsx(rows), ctx({ maxPartBytes: 512 * 1024 }))).rejects.toThrow('the spreadsheet expands past the size limit')
  })
})

const P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
const shape = (text: string, ph?: string) =>
  `<p:sp><p:nvSpPr><p:cNvPr id="1" name="s"/><p:cNvSpPr/><p:nvPr>${ph ? `<p:ph type="${ph}"/>` : ''}</p:nvPr></p:nvSpPr><p:txBody>${text
    .split('\n')
    .map((line) => `<a:p><a:r><a:t>${line}</a:t></a:r></a:p>`)
    .join('')}</p:txBody></p:sp>`
const slide = (...shapes: string[]) => `<p:sld ${P}><p:cSld><p:spTree>${shapes.join('')}</p:spTree></p:cSld></p:sld>`

describe('parsePptx', () => {
  it('follows presentation order, not file names, and keeps notes with their slide', async () => {
    const bytes = zipSync({
      '_rels/.rels': strToU8(rels([['r1', 'officeDocument', 'ppt/presentation.xml']])),
      'ppt/presentation.xml': strToU8(`<p:presentation ${P}><p:sldIdLst><p:sldId id="256" r:id="rB"/><p:sldId id="257" r:id="rA"/></p:sldIdLst></p:presentation>`),
      'ppt/_rels/presentation.xml.rels': strToU8(rels([['rA', 'slide', 'slides/slide1.xml'], ['rB', 'slide', 'slides/slide2.xml']])),
      'ppt/slides/slide1.xml': strToU8(slide(shape('Second', 'title'), shape('body of second'))),
      'ppt/slides/slide2.xml': strToU8(slide(shape('First', 'ctrTitle'), shape('one\ntwo'))),
      'ppt/slides/_rels/slide2.xml.rels': strToU8(rels([['n', 'notesSlide', '../notesSlides/notesSlide1.xml']])),
      'ppt/notesSlides/notesSlide1.xml': strToU8(`<p:notes ${P}><p:cSld><p:spTree>${shape('1', 'sldNum')}${shape('say hello', 'body')}</p:spTree></p:cSld></p:notes>`),
    })
    const { segments, pageCount } = await parsePptx(bytes, ctx())
    expect(pageCount).toBe(2)
    expect(segments.map((s) => [s.provenance.page, s.provenance.heading, s.text])).toEqual([
      [1, ['First'], 'First\none\ntwo\nSpeaker notes:\nsay hello'],
      [2, ['Second'], 'Second\nbody of second'],
    ])
    expect(segments.every((s) => s.charStart === 0)).toBe(true)
  })

  it('refuses a slide too big to parse as one tree', async () => {
    const bytes = zipSync({
      '_rels/.rels': strToU8(rels([['r1', 'officeDocument', 'ppt/presentation.xml']])),
      'ppt/presentation.xml': strToU8(`<p:presentation ${P}><p:sldIdLst><p:sldId id="256" r:id="rA"/></p:sldIdLst></p:presentation>`),
      'ppt/_rels/presentation.xml.rels': strToU8(rels([['rA', 'slide', 'slides/slide1.xml']])),
      'ppt/slides/slide1.xml': strToU8(slide(shape('word '.repeat(40_000)))),
    })
    await expect(parsePptx(bytes, ctx({ maxXmlTreeBytes: 64 * 1024 }))).rejects.toThrow('the presentation expands past the size limit (64 KB)')
    await expect(parsePptx(bytes, ctx())).resolves.toMatchObject({ pageCount: 1 })
  })
})
