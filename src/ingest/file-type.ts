/**
 * @module Upload type detection: a file's kind comes from its bytes and its extension together,
 * and the two must agree; anything else is refused with a reason a person can act on.
 */
import { DEFAULT_LIMITS } from './limits'
import { isEncryptedOffice, isOle } from './parsers/ole'
import { openZip, type ZipArchive } from './parsers/zip-reader'
import { checkUtf8, utf8Problem } from './utf8'

export type FileKind =
  | 'pdf'
  | 'docx'
  | 'pptx'
  | 'xlsx'
  | 'csv'
  | 'markdown'
  | 'json'
  | 'text'
  | 'png'
  | 'jpeg'
  | 'wav'
  | 'mp3'

export type SniffResult = { ok: true; kind: FileKind } | { ok: false; reason: string }

const KIND_BY_EXTENSION: Record<string, FileKind> = {
  pdf: 'pdf',
  docx: 'docx',
  pptx: 'pptx',
  xlsx: 'xlsx',
  csv: 'csv',
  md: 'markdown',
  markdown: 'markdown',
  json: 'json',
  txt: 'text',
  png: 'png',
  jpg: 'jpeg',
  jpeg: 'jpeg',
  wav: 'wav',
  mp3: 'mp3',
}

const TEXT_KINDS = new Set<FileKind>(['csv', 'markdown', 'json', 'text'])

const KIND_NAMES: Record<FileKind, string> = {
  pdf: 'a PDF',
  docx: 'a Word document (docx)',
  pptx: 'a PowerPoint presentation (pptx)',
  xlsx: 'an Excel spreadsheet (xlsx)',
  csv: 'CSV text',
  markdown: 'Markdown text',
  json: 'JSON text',
  text: 'plain text',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  wav: 'a WAV recording',
  mp3: 'an MP3 recording',
}

export const SUPPORTED_EXTENSIONS = Object.keys(KIND_BY_EXTENSION)

/** The first extension that names a kind (`markdown` → `md`, `text` → `txt`). */
export function extensionOfKind(kind: FileKind): string {
  return Object.entries(KIND_BY_EXTENSION).find(([, k]) => k === kind)![0]
}

function extensionOf(filename: string): string {
  const base = filename.slice(filename.lastIndexOf('/') + 1)
  const dot = base.lastIndexOf('.')
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase()
}

/**
 * The kind of an upload, or why it is refused.
 * @example sniffFileType(bytes, 'report.pdf') // { ok: true, kind: 'pdf' }
 */
export function sniffFileType(bytes: Uint8Array, filename: string): SniffResult {
  const ext = extensionOf(filename)
  const claimed = KIND_BY_EXTENSION[ext]
  if (!claimed) {
    const named = ext ? `.${ext} files` : 'files without an extension'
    return refuse(`Cairn does not read ${named}; it reads ${SUPPORTED_EXTENSIONS.map((e) => `.${e}`).join(', ')}`)
  }
  if (bytes.length === 0) return refuse('the file is empty')

  const actual = binaryKind(bytes, claimed)
  if (actual === 'zip') return sniffOffice(bytes, ext, claimed)
  if (actual === 'ole') {
    // Password-protected docx/pptx/xlsx are stored inside an OLE container; they are the claimed
    // kind, and their parser ends them in `error` saying a password is needed.
    if (isOfficeKind(claimed) && isEncryptedOffice(bytes)) return { ok: true, kind: claimed }
    return refuse(
      `the file is named .${ext} but is an old Office 97–2003 file; save it in the current format (.docx, .pptx or .xlsx) and upload it again`,
    )
  }
  if (actual) {
    if (actual === claimed) return { ok: true, kind: claimed }
    return refuse(`the file is named .${ext} but its content is ${describe(actual)}`)
  }
  if (!TEXT_KINDS.has(claimed)) {
    return refuse(`the file is named .${ext} but its content is not ${KIND_NAMES[claimed]}`)
  }
  const utf8 = checkUtf8(bytes)
  if (!utf8.ok) return refuse(utf8Problem(utf8.problem, 'file'))
  const markup = markupKind(bytes)
  if (markup && claimed !== 'markdown') {
    return refuse(`the file is named .${ext} but its content is ${markup}, a format Cairn does not read`)
  }
  return { ok: true, kind: claimed }
}

function refuse(reason: string): SniffResult {
  return { ok: false, reason }
}

function describe(kind: FileKind | 'zip' | 'ole'): string {
  if (kind === 'zip') return 'a ZIP archive'
  if (kind === 'ole') return 'an old-style Office file'
  return KIND_NAMES[kind]
}

function startsWith(bytes: Uint8Array, signature: readonly number[], at = 0): boolean {
  return signature.every((b, i) => bytes[at + i] === b)
}

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0))
const PDF = ascii('%PDF-')

/** Kinds recognisable by magic bytes; `undefined` means "no signature": text, or unknown binary. */
function binaryKind(bytes: Uint8Array, claimed: FileKind): FileKind | 'zip' | 'ole' | undefined {
  // A file named .pdf may have junk before its header, within the first kilobyte (as readers
  // allow); anything else must start with it, or a note that mentions "%PDF-" would be a PDF.
  const head = claimed === 'pdf' ? Math.min(bytes.length, 1024) : PDF.length
  for (let i = 0; i + PDF.length <= head; i++) if (startsWith(bytes, PDF, i)) return 'pdf'
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip'
  if (isOle(bytes)) return 'ole'
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png'
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg'
  if (startsWith(bytes, ascii('RIFF')) && startsWith(bytes, ascii('WAVE'), 8)) return 'wav'
  if (isId3(bytes) || isMpegAudioFrame(bytes)) return 'mp3'
  return undefined
}

/** An ID3v2 tag: "ID3", a major version 2–4, a revision byte below 0xFF. */
function isId3(bytes: Uint8Array): boolean {
  const version = bytes[3]
  return startsWith(bytes, ascii('ID3')) && version !== undefined && version >= 2 && version <= 4 && (bytes[4] ?? 0xff) < 0xff
}

/** An MPEG audio frame header: 11 sync bits, a valid version, layer III, a usable bitrate and rate. */
function isMpegAudioFrame(bytes: Uint8Array): boolean {
  const [b0, b1, b2] = [bytes[0], bytes[1], bytes[2]]
  if (b0 !== 0xff || b1 === undefined || b2 === undefined || (b1 & 0xe0) !== 0xe0) return false
  const version = (b1 >> 3) & 0x03
  const layer = (b1 >> 1) & 0x03
  const bitrate = b2 >> 4
  const rate = (b2 >> 2) & 0x03
  return version !== 1 && layer === 1 && bitrate !== 0 && bitrate !== 15 && rate !== 3
}

/** XML and HTML saved under a text extension: structured formats Cairn does not read as such. */
function markupKind(bytes: Uint8Array): string | undefined {
  const start = new TextDecoder().decode(bytes.subarray(0, 512)).replace(/^\uFEFF/, '').trimStart().toLowerCase()
  if (start.startsWith('<?xml')) return 'an XML document'
  if (start.startsWith('<!doctype html') || start.startsWith('<html')) return 'an HTML page'
  if (start.startsWith('<!doctype')) return 'an XML document'
  return undefined
}

/** The main part of each Office format, by conventional name and by content type. */
const OFFICE_MAIN: readonly { kind: FileKind; part: string; contentType: string }[] = [
  { kind: 'docx', part: 'word/document.xml', contentType: 'wordprocessingml.document.main+xml' },
  { kind: 'pptx', part: 'ppt/presentation.xml', contentType: 'presentationml.presentation.main+xml' },
  { kind: 'xlsx', part: 'xl/workbook.xml', contentType: 'spreadsheetml.sheet.main+xml' },
]

function isOfficeKind(kind: FileKind): boolean {
  return OFFICE_MAIN.some((o) => o.kind === kind)
}

function sniffOffice(bytes: Uint8Array, ext: string, claimed: FileKind): SniffResult {
  if (!isOfficeKind(claimed)) return refuse(`the file is named .${ext} but its content is a ZIP archive`)
  let zip: ZipArchive
  try {
    // Only the central directory is read here; the content-types part is small and capped.
    zip = openZip(bytes, { ...DEFAULT_LIMITS, maxPartBytes: 1024 * 1024, maxInflatedBytes: 1024 * 1024 }, 'the file')
  } catch {
    // ZIP magic and an Office extension agree; the damage inside is the parser's to report.
    return { ok: true, kind: claimed }
  }
  const actual = officeKind(zip)
  if (actual === claimed) return { ok: true, kind: claimed }
  if (!actual) return refuse(`the file is named .${ext} but its content is a ZIP archive, not ${KIND_NAMES[claimed]}`)
  return refuse(`the file is named .${ext} but its content is ${KIND_NAMES[actual]}`)
}

function officeKind(zip: ZipArchive): FileKind | undefined {
  for (const main of OFFICE_MAIN) if (zip.has(main.part)) return main.kind
  // Some writers put the main part elsewhere; [Content_Types].xml still names it.
  if (!zip.has('[Content_Types].xml')) return undefined
  let types: string
  try {
    types = new TextDecoder().decode(zip.read('[Content_Types].xml'))
  } catch {
    return undefined
  }
  return OFFICE_MAIN.find((main) => types.includes(main.contentType))?.kind
}
