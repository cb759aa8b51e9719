/**
 * Boxes on evidence, end to end: real PDFs uploaded through the API and indexed by the real queue
 * (a 14-page paper fans out into page-range messages, each writing its own pages' layouts), then
 * `l0-retrieval` elements and `l0` citations carry boxes whose words, read back from the stored
 * layout, are the element's; other formats carry none; deleting the file deletes its layouts.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, uploadForm, waitForIngestAll } from './api-client'
import { fixtureBytes } from './fixtures'
import { layoutPrefix, pageLayoutKey, readPageLayout, storePageLayouts } from '../../src/search/layout-store'
import { coveredText, tokenRecall } from '../support/covered-text'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
type Box = { x: number; y: number; w: number; h: number }

let w: World
const ids: Record<string, string> = {}

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  const names = ['pdf/multi_page.pdf', 'pdf/tracemonkey.pdf', 'pptx/powerpoint_sample.pptx', 'docx/word_sample.docx']
  const bytes = await Promise.all(names.map((p) => fixtureBytes(`samples/${p}`)))
  const files: Array<[string, Uint8Array | string]> = names.map((n, i) => [n.split('/')[1]!, bytes[i]!])
  files.push(['typewriters.txt', 'The typewriter was patented in 1868 by Christopher Latham Sholes, a printer from Wisconsin.'])
  const uploaded = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm(files, { workspace: w.ws }) })
  const done = await waitForIngestAll(w.writer.token, w.ws, uploaded.map((f: { id: string }) => f.id), 180_000)
  for (const f of done) {
    expect(f.status, `${f.filename}: ${f.status_details}`).toBe('processed')
    ids[f.filename] = f.id
  }
}, 200_000)

async function retrieve(text: string, topK = 10): Promise<{ elements: any[]; timing: string | null }> {
  const res = await call('POST', '/v1/chat/completions', {
    token: w.reader.token,
    body: { model: 'l0-retrieval', workspace: w.ws, messages: [{ role: 'user', content: [{ type: 'filter', top_k: topK }, { type: 'text', text }] }] },
  })
  const body = await res.json<any>()
  expect(res.status, JSON.stringify(body)).toBe(200)
  return { elements: body.choices, timing: res.headers.get('server-timing') }
}

/** The words under the boxes, read from the page's stored layout. */
async function wordsUnder(fileId: string, page: number, boxes: Box[]): Promise<string> {
  const layout = await readPageLayout(env.FILES, fileId, page)
  expect(layout, `layout of ${fileId} page ${page}`).not.toBeNull()
  return coveredText(layout!, boxes)
}

describe('l0-retrieval elements', () => {
  it('on PDF pages carry boxes over their own text', async () => {
    const { elements, timing } = await retrieve('typewriter word processing trace compilation', 10)
    const onPdf = elements.filter((e) => e.metadata.filename.endsWith('.pdf'))
    expect(onPdf.length).toBeGreaterThan(1)
    for (const e of onPdf) {
      const { boxes, file_id, page } = e.metadata
      expect(boxes, e.metadata.chunk_id).toBeInstanceOf(Array)
      expect(boxes.length).toBeGreaterThan(0)
      for (const b of boxes) expect(Object.keys(b).sort()).toEqual(['h', 'w', 'x', 'y'])
      const under = await wordsUnder(file_id, page, boxes)
      expect(tokenRecall(e.message.content, under), e.metadata.chunk_id).toBeGreaterThanOrEqual(0.9)
      expect(tokenRecall(under, e.message.content), `${e.metadata.chunk_id} covers other words`).toBeGreaterThanOrEqual(0.85)
    }
    expect(timing).toMatch(/boxes;dur=/)
  })

  it('of other formats have no boxes at all', async () => {
    const { elements } = await retrieve('typewriter patented 1868 Sholes slide document', 20)
    const others = elements.filter((e) => !e.metadata.filename.endsWith('.pdf'))
    expect(others.map((e) => e.metadata.filename)).toContain('typewriters.txt')
    for (const e of others) expect(e.metadata, e.metadata.filename).not.toHaveProperty('boxes')
  })

  it('streamed, carry the same boxes', async () => {
    const res = await call('POST', '/v1/chat/completions', {
      token: w.reader.token,
      body: { model: 'l0-retrieval', workspace: w.ws, stream: true, messages: [{ role: 'user', content: 'Who patented the typewriter in 1868?' }] },
    })
    const first = JSON.parse((await res.text()).split('\n\n')[0]!.replace(/^data: /, ''))
    const pdfChoice = first.choices.find((c: any) => c.metadata.file_id === ids['multi_page.pdf'])
    expect(pdfChoice.metadata.boxes.length).toBeGreaterThan(0)
  })
})

describe('layouts at ingestion', () => {
  it('every page of a PDF read in page ranges has its own layout', async () => {
    const listed = await env.FILES.list({ prefix: layoutPrefix(ids['tracemonkey.pdf']!) })
    expect(listed.objects.map((o) => o.key)).toEqual(Array.from({ length: 14 }, (_, i) => `layouts/${ids['tracemonkey.pdf']}/page-${String(i + 1).padStart(5, '0')}.json`))
    expect((await env.FILES.list({ prefix: layoutPrefix(ids['powerpoint_sample.pptx']!) })).objects).toEqual([])
  })
})

describe('a page range written again', () => {
  it('leaves exactly the layouts it found, whatever was there before', async () => {
    const fileId = ids['tracemonkey.pdf']!
    const before = await env.FILES.get(pageLayoutKey(fileId, 2)).then((o) => o!.text())
    const page3 = await env.FILES.get(pageLayoutKey(fileId, 3)).then((o) => o!.text())
    // Pages 1–3 read again, page 3 now without text: its old layout goes, the others are overwritten.
    await storePageLayouts(env.FILES, fileId, { from: 1, to: 3 }, [{ page: 2, json: before }])
    expect(await env.FILES.head(pageLayoutKey(fileId, 1))).toBeNull()
    expect(await env.FILES.get(pageLayoutKey(fileId, 2)).then((o) => o!.text())).toBe(before)
    expect(await env.FILES.head(pageLayoutKey(fileId, 3))).toBeNull()
    expect(await env.FILES.head(pageLayoutKey(fileId, 4))).not.toBeNull()
    await storePageLayouts(env.FILES, fileId, { from: 3, to: 3 }, [{ page: 3, json: page3 }])
  })
})

describe('l0 citations', () => {
  it('box the quote in file_citation and the passage in relevant_docs', async () => {
    const res = await call('POST', '/v1/chat/completions', {
      token: w.reader.token,
      body: { model: 'l0', workspace: w.ws, messages: [{ role: 'user', content: [{ type: 'filter', filter: `filename = 'multi_page.pdf'` }, { type: 'text', text: 'Who patented the typewriter in 1868?' }] }] },
    })
    const completion = await res.json<any>()
    expect(res.status, JSON.stringify(completion)).toBe(200)
    const { message, metadata } = completion.choices[0]
    expect(message.annotations.length).toBeGreaterThan(0)
    for (const { file_citation: c } of message.annotations) {
      expect(c.boxes.length).toBeGreaterThan(0)
      expect(tokenRecall(c.quote, await wordsUnder(c.file_id, c.page, c.boxes))).toBeGreaterThanOrEqual(0.9)
      const doc = metadata.relevant_docs.find((d: any) => d.chunk_id === c.chunk_id)
      // A quote is a part of its passage, so its boxes cover less of the page.
      const area = (boxes: Box[]) => boxes.reduce((s, b) => s + b.w * b.h, 0)
      if (doc.text.length > c.quote.length * 2) expect(area(c.boxes)).toBeLessThan(area(doc.boxes))
    }
    for (const doc of metadata.relevant_docs) expect(tokenRecall(doc.text, await wordsUnder(doc.file_id, doc.page, doc.boxes))).toBeGreaterThanOrEqual(0.9)
  })
})

describe('deleting the file', () => {
  it('deletes its layouts', async () => {
    const fileId = ids['multi_page.pdf']!
    expect((await env.FILES.list({ prefix: layoutPrefix(fileId) })).objects.length).toBeGreaterThan(0)
    const res = await call('DELETE', `/files/${fileId}?workspace=${w.ws}`, { token: w.writer.token })
    expect(res.status).toBe(200)
    expect((await env.FILES.list({ prefix: layoutPrefix(fileId) })).objects).toEqual([])
  })
})
