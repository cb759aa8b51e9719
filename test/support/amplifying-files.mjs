/**
 * @module Small files that expand to far more than they hold, one per class a parser must meter as
 * it produces: a shared string filling 30,000 cells, merged ranges, repeated runs, spanned table
 * cells, a header repeated in every chunk, JSON whose lines repeat their key paths, a PDF content
 * stream that inflates to pages of text. Shared by the tests (in workerd) and `bench/hostile.mjs`
 * (in Node), so both meet the same files.
 */
import { strToU8, zipSync, zlibSync } from 'fflate'

const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
const S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
const P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
const rels = (items) => `<Relationships>${items.map(([id, type, target]) => `<Relationship Id="${id}" Type="${REL}/${type}" Target="${target}"/>`).join('')}</Relationships>`
const zip = (parts) => zipSync(Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, [strToU8(v), { level: 9 }]])))
const contentTypes = (main) =>
  `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="${main[0]}" ContentType="application/vnd.openxmlformats-officedocument.${main[1]}"/></Types>`

function xlsx(sheetData, sharedStrings = [], afterSheetData = '') {
  return zip({
    '[Content_Types].xml': contentTypes(['/xl/workbook.xml', 'spreadsheetml.sheet.main+xml']),
    '_rels/.rels': rels([['r1', 'officeDocument', 'xl/workbook.xml']]),
    'xl/workbook.xml': `<workbook ${S}><sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': rels([['rId1', 'worksheet', 'worksheets/sheet1.xml'], ['rId2', 'sharedStrings', 'sharedStrings.xml']]),
    'xl/sharedStrings.xml': `<sst ${S}>${sharedStrings.map((s) => `<si><t>${s}</t></si>`).join('')}</sst>`,
    'xl/worksheets/sheet1.xml': `<worksheet ${S}><sheetData>${sheetData}</sheetData>${afterSheetData}</worksheet>`,
  })
}

/** One shared string of `stringChars` characters referenced by `cells` cells (the 109 KB file that took the runtime to 1.4 GB). */
export function sharedStringXlsx({ stringChars = 1_000_000, cells = 30_000 } = {}) {
  const rows = []
  for (let r = 1; r <= cells; r++) rows.push(`<row r="${r}"><c r="A${r}" t="s"><v>0</v></c></row>`)
  return xlsx(rows.join(''), ['x'.repeat(stringChars)])
}

/** A long value merged across `ranges` ranges of 100×100 cells each: every covered cell shows it. */
export function mergedCellsXlsx({ valueChars = 20_000, ranges = 20 } = {}) {
  const rows = []
  const merges = []
  for (let k = 0; k < ranges; k++) {
    const top = k * 100 + 1
    rows.push(`<row r="${top}"><c r="A${top}" t="inlineStr"><is><t>${'m'.repeat(valueChars)}</t></is></c></row>`)
    merges.push(`<mergeCell ref="A${top}:CV${top + 99}"/>`)
  }
  return xlsx(rows.join(''), [], `<mergeCells count="${ranges}">${merges.join('')}</mergeCells>`)
}

function docx(body) {
  return zip({
    '[Content_Types].xml': contentTypes(['/word/document.xml', 'wordprocessingml.document.main+xml']),
    '_rels/.rels': rels([['r1', 'officeDocument', 'word/document.xml']]),
    'word/document.xml': `<w:document ${W}><w:body>${body}</w:body></w:document>`,
  })
}

/** Paragraphs of repeated runs: 13 million characters in a 13 MB document part (under the part cap) that compresses to a few KB. */
export function repeatedRunsDocx({ paragraphs = 1_300, runs = 10, runChars = 1_000 } = {}) {
  const run = `<w:r><w:t>${'r'.repeat(runChars)}</w:t></w:r>`
  const paragraph = `<w:p>${run.repeat(runs)}</w:p>`
  return docx(paragraph.repeat(paragraphs))
}

/** A table whose first cell spans 1,000 columns and is continued down every row (gridSpan + vMerge). */
export function spannedTableDocx({ cellChars = 20_000, rows = 200 } = {}) {
  const cell = (merge) => `<w:tc><w:tcPr><w:gridSpan w:val="1000"/><w:vMerge${merge ? ' w:val="restart"' : ''}/></w:tcPr><w:p><w:r><w:t>${merge ? 's'.repeat(cellChars) : ''}</w:t></w:r></w:p></w:tc>`
  const tr = (first) => `<w:tr>${cell(first)}</w:tr>`
  return docx(`<w:tbl>${tr(true)}${tr(false).repeat(rows - 1)}</w:tbl>`)
}

/** A deck of `slides` slides, each holding `slideChars` characters of text. */
export function repeatedTextPptx({ slides = 200, slideChars = 80_000 } = {}) {
  const parts = {
    '[Content_Types].xml': contentTypes(['/ppt/presentation.xml', 'presentationml.presentation.main+xml']),
    '_rels/.rels': rels([['r1', 'officeDocument', 'ppt/presentation.xml']]),
    'ppt/presentation.xml': `<p:presentation ${P}><p:sldIdLst>${Array.from({ length: slides }, (_, i) => `<p:sldId id="${256 + i}" r:id="rId${i + 1}"/>`).join('')}</p:sldIdLst></p:presentation>`,
    'ppt/_rels/presentation.xml.rels': rels(Array.from({ length: slides }, (_, i) => [`rId${i + 1}`, 'slide', `slides/slide${i + 1}.xml`])),
  }
  const body = `<p:sld ${P}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>${'p'.repeat(slideChars)}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>`
  for (let i = 1; i <= slides; i++) parts[`ppt/slides/slide${i}.xml`] = body
  return zip(parts)
}

/** A one-column CSV whose header is `headerChars` long, over `rows` short rows: the header would repeat in every chunk. */
export function longHeaderCsv({ headerChars = 1_000_000, rows = 90_000 } = {}) {
  return strToU8(`${'h'.repeat(headerChars)}\n${'1\n'.repeat(rows)}`)
}

/** A flat array of `items` zeros (3.8 MB): two bytes each in the file, a `[123456]: 0` line each in the text. */
export function hugeArrayJson({ items = 1_900_000 } = {}) {
  return strToU8(`[${'0,'.repeat(items - 1)}0]`)
}

/** `levels` nested objects with `keyChars`-long keys around an array of `items` small objects: every group's key path repeats the whole chain. */
export function deepKeyPathJson({ levels = 500, keyChars = 2_000, items = 50_000 } = {}) {
  const inner = `[${Array.from({ length: items }, (_, i) => `{"n":${i}}`).join(',')}]`
  let json = inner
  for (let l = 0; l < levels; l++) json = `{"${String(l).padStart(keyChars, 'k')}":${json}}`
  return strToU8(json)
}

/** A PDF of `pages` pages (one by default) whose content streams (a few KB each, deflated) show `lines` lines of `lineChars` characters. */
export function expandingPdf({ lines = 150_000, lineChars = 100, pages = 1 } = {}) {
  const show = `(${'e'.repeat(lineChars)}) Tj T*\n`
  const content = zlibSync(strToU8(`BT /F1 1 Tf 0.005 TL 10 780 Td\n${show.repeat(lines)}ET`), { level: 9 })
  // Objects 1–3: catalog, page tree, font; then each page and its content stream.
  const kids = Array.from({ length: pages }, (_, i) => `${4 + 2 * i} 0 R`).join(' ')
  const objects = ['<< /Type /Catalog /Pages 2 0 R >>', `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']
  for (let i = 0; i < pages; i++) {
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${5 + 2 * i} 0 R >>`, null)
  }
  const chunks = [strToU8('%PDF-1.4\n')]
  let length = chunks[0].length
  const offsets = []
  const push = (bytes) => {
    chunks.push(bytes)
    length += bytes.length
  }
  objects.forEach((body, i) => {
    offsets.push(length)
    if (body === null) {
      push(strToU8(`${i + 1} 0 obj\n<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`))
      push(content)
      push(strToU8('\nendstream\nendobj\n'))
    } else push(strToU8(`${i + 1} 0 obj\n${body}\nendobj\n`))
  })
  const xref = length
  push(strToU8(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`))
  const out = new Uint8Array(length)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.length
  }
  return out
}

/** Every class, named as a user would name the file. */
export function amplifyingFiles() {
  return [
    ['shared-string.xlsx', sharedStringXlsx()],
    ['merged-cells.xlsx', mergedCellsXlsx()],
    ['repeated-runs.docx', repeatedRunsDocx()],
    ['spanned-table.docx', spannedTableDocx()],
    ['repeated-text.pptx', repeatedTextPptx()],
    ['long-header.csv', longHeaderCsv()],
    ['huge-array.json', hugeArrayJson()],
    ['deep-key-path.json', deepKeyPathJson()],
    ['expanding.pdf', expandingPdf()],
  ]
}
