/**
 * Upload → queue → consumer → chunks in D1 and FTS5, through the real local queue, for a real
 * fixture of every text format; big PDFs fanned out into parts; redelivery without duplicates.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { callJson, createOrgWithWorkspace, uploadForm, waitForIngest } from './api-client'
import { ftsCount, indexRows, type At } from './index-rows'
import { fixtureBytes } from './fixtures'
import { ingest } from '../../src/ingest/pipeline'
import { buildDeps } from '../../src/deps'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

type ChunkRow = { id: string; text: string; page: number | null; sheet: string | null; rows_from: number | null; rows_to: number | null; heading: string | null; key_path: string | null; modality: string; part: number }

async function chunksOf(fileId: string, at?: At): Promise<ChunkRow[]> {
  return indexRows<ChunkRow>(fileId, 'SELECT * FROM chunks WHERE file_id = ? ORDER BY part, position', [fileId], at)
}

async function ftsHits(fileId: string, query: string): Promise<number> {
  return ftsCount(fileId, query)
}

async function ingestFixture(path: string) {
  const name = path.split('/').pop()!
  const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([[name, await fixtureBytes(path)]], { workspace: w.ws }) })
  return waitForIngest(w.writer.token, file.id)
}

describe('every text format is parsed into chunks with provenance', () => {
  it('PDF: chunks per page, pages counted', async () => {
    const file = await ingestFixture('samples/pdf/normal_4pages.pdf')
    expect(file.status, file.status_details).toBe('processed')
    expect(file.progress).toMatchObject({ pages_total: 4, pages_done: 4 })
    const chunks = await chunksOf(file.id)
    expect(chunks.length).toBe(file.progress.chunks)
    expect(new Set(chunks.map((c) => c.page))).toEqual(new Set([1, 2, 3, 4]))
    for (const c of chunks) expect(c.id).toMatch(new RegExp(`^${file.id}:p${c.page}:`))
  })

  it('docx: headings become paths, tables become Markdown tables', async () => {
    const file = await ingestFixture('samples/docx/word_tables.docx')
    expect(file.status, file.status_details).toBe('processed')
    const chunks = await chunksOf(file.id)
    expect(chunks.some((c) => c.modality === 'table' && /\|.*\|/.test(c.text))).toBe(true)
  })

  it('pptx: one page per slide, speaker notes included', async () => {
    const file = await ingestFixture('samples/pptx/powerpoint_sample.pptx')
    expect(file.status, file.status_details).toBe('processed')
    const chunks = await chunksOf(file.id)
    expect(chunks.every((c) => c.page !== null && c.page >= 1)).toBe(true)
  })

  it('xlsx: sheet and rows on every table chunk, header repeated', async () => {
    const file = await ingestFixture('samples/xlsx/xlsx_01.xlsx')
    expect(file.status, file.status_details).toBe('processed')
    const tables = (await chunksOf(file.id)).filter((c) => c.modality === 'table')
    expect(tables.length).toBeGreaterThan(0)
    for (const c of tables) {
      expect(c.sheet).toBeTruthy()
      expect(c.rows_from).toBeGreaterThan(0)
      expect(c.text.split('\n')[1]).toMatch(/^\|\s*-{3}/)
    }
  })

  it('csv: every chunk starts with the header row', async () => {
    const file = await ingestFixture('samples/csv/csv-comma.csv')
    expect(file.status, file.status_details).toBe('processed')
    const chunks = await chunksOf(file.id)
    const header = chunks[0]!.text.split('\n')[0]
    for (const c of chunks) expect(c.text.split('\n')[0]).toBe(header)
  })

  it('markdown, json and text end processed and are in the lexical index', async () => {
    for (const [path, word] of [
      ['samples/markdown/duck.md', 'duck'],
      ['samples/json/tesseract.js_package.json', 'tesseract'],
      ['samples/text/uspto_patent_pftaps057006474.txt', 'invention'],
    ] as const) {
      const file = await ingestFixture(path)
      expect(file.status, `${path}: ${file.status_details}`).toBe('processed')
      expect(await ftsHits(file.id, word), path).toBeGreaterThan(0)
    }
    const md = await ingestFixture('samples/markdown/nested.md')
    expect((await chunksOf(md.id)).some((c) => c.heading !== null)).toBe(true)
  })

  it('images and audio end processed with a sentence saying a model is needed', async () => {
    const file = await ingestFixture('samples/image/cosmic.png')
    expect(file.status).toBe('processed')
    expect(file.status_details).toMatch(/vision model/)
    expect(file.status_details).toMatch(/VISION_MODEL/)
  })
})

describe('fan-out and idempotency', () => {
  it('a PDF bigger than one message fans out into parts; the last part marks it processed', async () => {
    const deps = buildDeps(env)
    const bytes = await fixtureBytes('samples/pdf/tracemonkey.pdf')
    const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['tracemonkey.pdf', bytes]], { workspace: w.ws }) })
    const done = await waitForIngest(w.writer.token, file.id)
    expect(done.status, done.status_details).toBe('processed')
    const pages = done.progress.pages_total
    expect(pages).toBe(14)
    // PAGES_PER_MESSAGE is 5 in tests: three page-range messages went through the queue.
    const parts = await env.DB.prepare('SELECT part, pages FROM file_parts WHERE file_id = ? ORDER BY part').bind(file.id).all()
    expect(parts.results).toEqual([{ part: 0, pages: 5 }, { part: 1, pages: 5 }, { part: 2, pages: 4 }])
    const whole = await chunksOf(file.id)
    expect(new Set(whole.map((c) => c.page)).size).toBe(pages)

    // Deliver the parts again, last first, each twice: same chunk ids, no duplicates, still processed.
    await env.DB.prepare("UPDATE files SET status = 'processing' WHERE id = ?").bind(file.id).run()
    await env.DB.prepare('DELETE FROM file_parts WHERE file_id = ?').bind(file.id).run()
    const ranges = [{ from: 1, to: 5 }, { from: 6, to: 10 }, { from: 11, to: 14 }]
    for (const [part, range] of [...ranges.entries()].reverse()) {
      await ingest(deps, { fileId: file.id, orgId: file.org_id, workspaceId: w.ws, part, pages: range })
      // A redelivered part overwrites its own chunks.
      await ingest(deps, { fileId: file.id, orgId: file.org_id, workspaceId: w.ws, part, pages: range })
    }
    const again = await chunksOf(file.id)
    expect(again.map((c) => c.id).sort()).toEqual(whole.map((c) => c.id).sort())
    const after = await callJson('GET', `/files/${file.id}`, { token: w.writer.token })
    expect(after.status).toBe('processed')
    expect(after.progress).toMatchObject({ pages_done: pages, chunks: whole.length })
    expect(await ftsCount(file.id)).toBe(whole.length)
  })

  it('a redelivered planning message after processing changes nothing', async () => {
    const file = await ingestFixture('samples/markdown/wiki.md')
    const before = await chunksOf(file.id)
    await ingest(buildDeps(env), { fileId: file.id, orgId: file.org_id, workspaceId: w.ws })
    expect(await chunksOf(file.id)).toEqual(before)
  })

  it('a file deleted while queued leaves nothing behind', async () => {
    const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['gone.md', '# Gone\n\ntext']], { workspace: w.ws }) })
    await callJson('DELETE', `/files/${file.id}`, { token: w.writer.token })
    await ingest(buildDeps(env), { fileId: file.id, orgId: file.org_id, workspaceId: w.ws })
    expect(await chunksOf(file.id, { orgId: file.org_id, workspaceId: w.ws })).toEqual([])
  })
})
