/**
 * @module A ZIP reader that cannot be bombed: it reads the central directory (names and declared
 * sizes, nothing inflated), refuses too many entries, and inflates only the parts asked for, in
 * small pushes, counting real output bytes and stopping the moment a cap is passed.
 */
import { Inflate } from 'fflate'
import { DamagedFileError, LimitExceededError } from '../errors'
import { formatBytes, formatCount, type Limits } from '../limits'

export type ZipEntry = {
  name: string
  method: number
  encrypted: boolean
  compressedSize: number
  /** What the archive claims; never trusted for allocation or limits. */
  declaredSize: number
  localHeaderOffset: number
}

export type ZipArchive = {
  readonly entries: ReadonlyMap<string, ZipEntry>
  has(name: string): boolean
  /** Inflates one entry under the part cap (or a smaller one given) and the archive cap. */
  read(name: string, cap?: number): Uint8Array
  /** Bytes inflated so far from this archive. */
  readonly inflatedBytes: number
}

export type ZipLimits = Pick<Limits, 'maxArchiveEntries' | 'maxInflatedBytes' | 'maxPartBytes'>

/** What the archive is called in a reason ("the spreadsheet", "the document"). */
export type ZipLabel = string

const EOCD = 0x06054b50
const EOCD64 = 0x06064b50
const EOCD64_LOCATOR = 0x07064b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
/** Compressed bytes handed to the inflater at once: deflate expands at most ~1032×, so one push yields ≤ 8.5 MB. */
const PUSH_BYTES = 8 * 1024

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
}

export function openZip(bytes: Uint8Array, limits: ZipLimits, label: ZipLabel = 'the archive'): ZipArchive {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const damaged = (why: string) => new DamagedFileError(`${label} is damaged: ${why}`)
  const u16 = (at: number) => view.getUint16(at, true)
  const u32 = (at: number) => view.getUint32(at, true)
  const u64 = (at: number) => Number(view.getBigUint64(at, true))

  const eocd = findEndOfCentralDirectory(bytes, view)
  if (eocd < 0) throw damaged('its table of contents (the ZIP central directory) is missing')
  let total = u16(eocd + 10)
  let cdSize = u32(eocd + 12)
  let cdOffset = u32(eocd + 16)
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const locator = eocd - 20
    if (locator < 0 || u32(locator) !== EOCD64_LOCATOR) throw damaged('its ZIP64 directory is missing')
    const record = u64(locator + 8)
    if (record + 56 > bytes.length || u32(record) !== EOCD64) throw damaged('its ZIP64 directory is invalid')
    total = u64(record + 32)
    cdSize = u64(record + 40)
    cdOffset = u64(record + 48)
  }
  if (total > limits.maxArchiveEntries) {
    throw new LimitExceededError(
      `${label} holds ${formatCount(total)} parts, more than the ${formatCount(limits.maxArchiveEntries)} Cairn accepts in one file`,
    )
  }
  if (cdOffset + cdSize > bytes.length) throw damaged('it is truncated')

  const entries = new Map<string, ZipEntry>()
  const names = new TextDecoder('utf-8')
  let at = cdOffset
  for (let i = 0; i < total; i++) {
    if (at + 46 > cdOffset + cdSize || u32(at) !== CENTRAL) throw damaged('its table of contents is corrupt')
    const flags = u16(at + 8)
    const nameLength = u16(at + 28)
    const extraLength = u16(at + 30)
    const commentLength = u16(at + 32)
    const entry: ZipEntry = {
      name: names.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: u16(at + 10),
      encrypted: (flags & 1) === 1,
      compressedSize: u32(at + 20),
      declaredSize: u32(at + 24),
      localHeaderOffset: u32(at + 42),
    }
    readZip64Extra(view, at + 46 + nameLength, extraLength, entry)
    if (entries.has(entry.name)) throw damaged(`it lists the part ${entry.name} twice`)
    entries.set(entry.name, entry)
    at += 46 + nameLength + extraLength + commentLength
  }

  let inflatedBytes = 0
  function read(name: string, smallerCap?: number): Uint8Array {
    const partCap = Math.min(limits.maxPartBytes, smallerCap ?? Infinity)
    const entry = entries.get(name)
    if (!entry) throw damaged(`the part ${name} is missing`)
    if (entry.encrypted) throw new DamagedFileError(`${label} is encrypted and needs a password`)
    const local = entry.localHeaderOffset
    if (local + 30 > bytes.length || u32(local) !== LOCAL) throw damaged(`the part ${name} cannot be found where the directory says`)
    const start = local + 30 + u16(local + 26) + u16(local + 28)
    const end = start + entry.compressedSize
    if (end > bytes.length) throw damaged('it is truncated')
    const data = bytes.subarray(start, end)
    const count = (n: number) => {
      inflatedBytes += n
      if (inflatedBytes > limits.maxInflatedBytes) throw tooBig(label, limits.maxInflatedBytes)
    }
    if (entry.method === 0) {
      if (data.length > partCap) throw tooBig(label, partCap)
      count(data.length)
      return data
    }
    if (entry.method !== 8) throw damaged(`the part ${name} uses a compression method Cairn does not read`)
    return inflateCapped(data, partCap, count, () => tooBig(label, partCap), damaged)
  }

  return {
    entries,
    has: (name) => entries.has(name),
    read,
    get inflatedBytes() {
      return inflatedBytes
    },
  }
}

function tooBig(label: ZipLabel, cap: number): LimitExceededError {
  return new LimitExceededError(`${label} expands past the size limit (${formatBytes(cap)})`)
}

function inflateCapped(
  data: Uint8Array,
  cap: number,
  count: (n: number) => void,
  overCap: () => Error,
  damaged: (why: string) => Error,
): Uint8Array {
  const pieces: Uint8Array[] = []
  let size = 0
  let ended = false
  const inflater = new Inflate((piece, final) => {
    size += piece.length
    if (size > cap) throw overCap()
    count(piece.length)
    pieces.push(piece)
    if (final) ended = true
  })
  try {
    if (data.length === 0) inflater.push(new Uint8Array(0), true)
    for (let at = 0; at < data.length; at += PUSH_BYTES) {
      inflater.push(data.subarray(at, at + PUSH_BYTES), at + PUSH_BYTES >= data.length)
    }
  } catch (err) {
    if (err instanceof LimitExceededError) throw err
    throw damaged('a compressed part is corrupt')
  }
  if (!ended) throw damaged('a compressed part ends early')
  const out = new Uint8Array(size)
  let offset = 0
  for (const piece of pieces) {
    out.set(piece, offset)
    offset += piece.length
  }
  return out
}

function findEndOfCentralDirectory(bytes: Uint8Array, view: DataView): number {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff)
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (view.getUint32(at, true) === EOCD) return at
  }
  return -1
}

/** ZIP64 puts the real sizes and offset in an extra field when the 32-bit ones are saturated. */
function readZip64Extra(view: DataView, start: number, length: number, entry: ZipEntry): void {
  let at = start
  const end = Math.min(start + length, view.byteLength)
  while (at + 4 <= end) {
    const id = view.getUint16(at, true)
    const size = view.getUint16(at + 2, true)
    if (id === 0x0001) {
      let field = at + 4
      const next = () => {
        if (field + 8 > at + 4 + size || field + 8 > end) return undefined
        const value = Number(view.getBigUint64(field, true))
        field += 8
        return value
      }
      if (entry.declaredSize === 0xffffffff) entry.declaredSize = next() ?? entry.declaredSize
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = next() ?? entry.compressedSize
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = next() ?? entry.localHeaderOffset
      return
    }
    at += 4 + size
  }
}
