/**
 * @module The PDFs the ingestion and rendering benchmarks read: every fixture PDF, plus one of over
 * 300 pages assembled from them; and the raw text extraction (unpdf, in this process) that
 * ingestion is measured against.
 */
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { PDFDocument } from 'pdf-lib'
import { extractText, getDocumentProxy } from 'unpdf'

/** The fixture PDFs under `dir`, by name. */
export function fixturePdfs(dir) {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.pdf'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(dir, name))) }))
}

/** Every one of `files`, repeated until the document passes 300 pages. */
export async function assembleLarge(files) {
  const out = await PDFDocument.create()
  while (out.getPageCount() < 300) {
    for (const f of files) {
      const src = await PDFDocument.load(f.bytes, { ignoreEncryption: true })
      for (const p of await out.copyPages(src, src.getPageIndices())) out.addPage(p)
    }
  }
  return { name: 'assembled-large.pdf', bytes: new Uint8Array(await out.save()) }
}

/** unpdf's text extraction of every page, timed. */
export async function rawExtract(bytes) {
  const started = performance.now()
  const pdf = await getDocumentProxy(bytes.slice(), { verbosity: 0 })
  const { totalPages } = await extractText(pdf, { mergePages: false })
  return { pages: totalPages, ms: performance.now() - started }
}
