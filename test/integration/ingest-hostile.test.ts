/// <reference types="vite/client" />
/**
 * @module Every file in ../shared/fixtures/hostile, fed to the sniffer and the parsers with their
 * limits in place: each ends in a clean domain error with a readable sentence, or parses within
 * limits. Nothing crashes, nothing hangs.
 */
import { describe, expect, it } from 'vitest'
import { chunkSegments } from '../../src/ingest/chunker'
import { isIngestError } from '../../src/ingest/errors'
import { sniffFileType } from '../../src/ingest/file-type'
import type { Limits } from '../../src/ingest/limits'
import { parseDocument } from '../../src/ingest/parsers/registry'
import { fixtureBytes } from './fixtures'

const ROOT = '../../../shared/fixtures/hostile/'
const HOSTILE = Object.keys(import.meta.glob('../../../shared/fixtures/hostile/**/*')).map((p) => p.slice(ROOT.length))
const JSON_SUITE = 'json/JSONTestSuite/test_parsing/'
const PER_FILE_MS = 30_000

type Outcome =
  | { kind: 'refused'; reason: string }
  | { kind: 'needs-model'; reason: string }
  | { kind: 'parsed'; segments: number; chunks: number }
  | { kind: 'error'; name: string; reason: string }

async function ingest(path: string, limits: Partial<Limits> = {}): Promise<Outcome> {
  const bytes = await fixtureBytes(`hostile/${path}`)
  const sniffed = sniffFileType(bytes, path)
  if (!sniffed.ok) return { kind: 'refused', reason: sniffed.reason }
  try {
    const outcome = await parseDocument(bytes, sniffed.kind, { limits: { timeBudgetMs: 15_000, ...limits } })
    if (outcome.status === 'needs-model') return { kind: 'needs-model', reason: outcome.reason }
    const chunks = chunkSegments(outcome.result.segments, { fileId: 'file-hostile' })
    return { kind: 'parsed', segments: outcome.result.segments.length, chunks: chunks.length }
  } catch (err) {
    // Anything but a domain error is a crash, and fails the test here.
    if (!isIngestError(err)) throw err
    return { kind: 'error', name: err.name, reason: err.reason }
  }
}

/** What a person reads in `status_details`: one plain sentence, no stack, at most 1,000 characters. */
function expectReadable(reason: string): void {
  expect(reason.length).toBeGreaterThan(10)
  expect(reason.length).toBeLessThanOrEqual(1_000)
  expect(reason).not.toMatch(/\n|\bat \S+ \(|TypeError|undefined|\[object /)
}

function expectClean(outcome: Outcome): void {
  if (outcome.kind === 'parsed') expect(outcome.chunks).toBeGreaterThanOrEqual(0)
  else expectReadable(outcome.reason)
}

/** The outcome each hostile file (outside JSONTestSuite) ends in, and the sentence it says. */
const EXPECTED: Record<string, [Outcome['kind'], RegExp?]> = {
  'csv/csv-inconsistent-header.csv': ['parsed'],
  'csv/csv-too-few-columns.csv': ['parsed'],
  'csv/csv-too-many-columns.csv': ['parsed'],
  'image/broken.png': ['needs-model', /vision model/],
  'image/decompression_bomb.gif': ['refused', /does not read \.gif files/],
  'image/exif-dpi-zerodivision.jpg': ['needs-model', /vision model/],
  'image/truncated_app14.jpg': ['needs-model', /vision model/],
  'image/truncated_image.png': ['needs-model', /vision model/],
  'mislabeled/elife-56337.txt': ['refused', /named \.txt but its content is an XML document/],
  'office/54764_billion_laughs.xlsx': ['error', /^the spreadsheet contains XML DOCTYPE or entity declarations/],
  'office/poc-xmlbomb-empty.xlsx': ['error', /^the spreadsheet contains XML DOCTYPE or entity declarations/],
  'office/clusterfuzz-POIXSLFFuzzer-5471515212382208.pptx': ['error', /^the presentation is damaged/],
  'office/clusterfuzz-POIXSSFFuzzer-6123461607817216.xlsx': ['error', /^the spreadsheet is damaged/],
  'office/clusterfuzz-POIXWPFFuzzer-5313273089884160.docx': ['error', /^the document is damaged/],
  'office/clusterfuzz-XLSX2CSVFuzzer-5636439151607808.xlsx': ['error', /^the spreadsheet is damaged/],
  'office/crash-9bf3cd4b.xlsx': ['error', /^the spreadsheet is encrypted and needs a password/],
  'office/invalid.xlsx': ['refused', /named \.xlsx but its content is a ZIP archive, not an Excel spreadsheet/],
  'office/powerpoint_bad_text.pptx': ['parsed'],
  'office/test_recursive_embedded.docx': ['parsed'],
  'office/xlsx-corrupted.xlsx': ['parsed'],
  'pdf/ContentStreamCycleType3insideType3.pdf': ['parsed'],
  'pdf/PDFBOX-3148-2-fuzzed.pdf': ['parsed'],
  'pdf/REDHAT-1531897-0.pdf': ['error', /^the PDF is damaged and cannot be read/],
  'pdf/bomb_giant.pdf': ['parsed'],
  'pdf/empty_protected.pdf': ['parsed'],
  'pdf/encryption_openpassword.pdf': ['error', /^the PDF is encrypted and needs a password$/],
  'pdf/formatcorpus_pdfCabinetOfHorrors_readme.md': ['parsed'],
  'pdf/govdocs1_032270.pdf': ['parsed'],
  'pdf/govdocs1_189478.pdf': ['parsed'],
  'pdf/helloworld-bad.pdf': ['parsed'],
  'pdf/password_1234_2206.01062_pg3.pdf': ['error', /^the PDF is encrypted and needs a password$/],
  'pdf/poppler-395-0-fuzzed.pdf': ['error', /^the PDF is damaged and cannot be read/],
  'pdf/poppler-742-0-fuzzed.pdf': ['error', /^the PDF is damaged and cannot be read \(page 1\)/],
  'pdf/poppler-937-0-fuzzed.pdf': ['error', /^the PDF is damaged and cannot be read \(page 1\)/],
  'pdf/veraPDFHiResWrongObjectID.pdf': ['parsed'],
}

const others = HOSTILE.filter((p) => !p.startsWith('json/'))

describe('hostile files', () => {
  it('are all accounted for', () => {
    expect(others.sort()).toEqual(Object.keys(EXPECTED).sort())
  })

  it.each(others)('%s ends as expected, cleanly', async (path) => {
    const outcome = await ingest(path)
    const [kind, sentence] = EXPECTED[path]!
    expect(outcome.kind).toBe(kind)
    expectClean(outcome)
    if (sentence && 'reason' in outcome) expect(outcome.reason).toMatch(sentence)
  }, PER_FILE_MS)

  it.each(others.filter((p) => /\.(pdf|docx|pptx|xlsx)$/.test(p)))('%s under tight caps still ends cleanly', async (path) => {
    const outcome = await ingest(path, {
      maxPartBytes: 64 * 1024,
      maxXmlTreeBytes: 32 * 1024,
      maxInflatedBytes: 128 * 1024,
      maxArchiveEntries: 40,
      maxXmlDepth: 32,
      maxPages: 3,
      maxPagesPerMessage: 3,
      maxCellsPerSheet: 50,
      timeBudgetMs: 3_000,
    })
    expectClean(outcome)
    if (outcome.kind === 'error') expect(['DamagedFileError', 'LimitExceededError', 'UnsupportedFormatError']).toContain(outcome.name)
  }, PER_FILE_MS)
})

describe('JSONTestSuite', () => {
  const suite = HOSTILE.filter((p) => p.startsWith(JSON_SUITE)).map((p) => p.slice(JSON_SUITE.length))
  const named = (prefix: string) => suite.filter((name) => name.startsWith(prefix))

  it('has its three families', () => {
    expect(named('y_').length).toBe(95)
    expect(named('n_').length).toBe(188)
    expect(named('i_').length).toBe(35)
  })

  it('y_: every file parses', async () => {
    for (const name of named('y_')) {
      const outcome = await ingest(JSON_SUITE + name)
      expect(outcome.kind, `${name}: ${'reason' in outcome ? outcome.reason : ''}`).toBe('parsed')
    }
  }, 120_000)

  it('n_: every file is rejected with a sentence, never parsed', async () => {
    for (const name of named('n_')) {
      const outcome = await ingest(JSON_SUITE + name)
      expect(['refused', 'error'], name).toContain(outcome.kind)
      if (outcome.kind === 'error') expect(outcome.name, name).toBe('DamagedFileError')
      expectClean(outcome)
    }
  }, 120_000)

  it('i_: either outcome, never a crash', async () => {
    for (const name of named('i_')) expectClean(await ingest(JSON_SUITE + name))
  }, 120_000)

  it('500 nested arrays parse within the depth cap; 100,000 are refused', async () => {
    expect(await ingest(`${JSON_SUITE}i_structure_500_nested_arrays.json`)).toMatchObject({ kind: 'parsed' })
    const deep = await ingest(`${JSON_SUITE}n_structure_100000_opening_arrays.json`)
    expect(deep).toMatchObject({ kind: 'error', name: 'DamagedFileError' })
  })
})
