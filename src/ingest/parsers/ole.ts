/**
 * @module OLE compound files, as far as Cairn cares: old Office 97–2003 documents, and the
 * container a password-protected docx/pptx/xlsx is wrapped in.
 */

const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1] as const

export function isOle(bytes: Uint8Array): boolean {
  return OLE_MAGIC.every((b, i) => bytes[i] === b)
}

const ENCRYPTED_PACKAGE = new Uint8Array(Array.from('EncryptedPackage', (c) => [c.charCodeAt(0), 0]).flat())

/** An OLE container holding an `EncryptedPackage` stream (directory names are UTF-16LE). */
export function isEncryptedOffice(bytes: Uint8Array): boolean {
  if (!isOle(bytes)) return false
  const limit = Math.min(bytes.length, 4 * 1024 * 1024) - ENCRYPTED_PACKAGE.length
  outer: for (let i = 0; i <= limit; i++) {
    for (let k = 0; k < ENCRYPTED_PACKAGE.length; k++) if (bytes[i + k] !== ENCRYPTED_PACKAGE[k]) continue outer
    return true
  }
  return false
}
