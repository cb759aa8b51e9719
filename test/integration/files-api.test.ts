/**
 * The Files API as a client sees it: OpenAI's and L0's upload shapes, all-or-nothing refusals that
 * name each bad file, listing with cursors, identical bytes back, metadata merges, and deletion that
 * leaves nothing behind in D1 or R2.
 */
import { env, SELF } from 'cloudflare:test'
import OpenAI from 'openai'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, unique, uploadForm, uploadText } from './api-client'
import { chunkCount } from './index-rows'
import { fixtureBytes } from './fixtures'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>
let w: World
beforeAll(async () => {
  w = await createOrgWithWorkspace()
})

async function r2Keys(prefix: string): Promise<string[]> {
  const listed = await env.FILES.list({ prefix })
  return listed.objects.map((o) => o.key)
}

async function listIds(token: string, workspace: string): Promise<string[]> {
  const list = await callJson('GET', `/files?workspace=${workspace}`, { token })
  return list.data.map((f: { id: string }) => f.id)
}

describe('upload', () => {
  it('one file answers with an OpenAI file object, status uploaded, metadata applied', async () => {
    const pdf = await fixtureBytes('samples/pdf/multi_page.pdf')
    const file = await callJson('POST', '/files', {
      token: w.writer.token,
      form: uploadForm([['multi_page.pdf', pdf]], { workspace: w.ws, purpose: 'assistants', metadata: '{"author": "hegel", "year": 1812}' }),
    })
    expect(file).toMatchObject({
      object: 'file',
      bytes: pdf.length,
      filename: 'multi_page.pdf',
      purpose: 'assistants',
      status: 'uploaded',
      status_details: null,
      expires_at: null,
      org_id: w.writer.orgId,
      workspace_id: w.ws,
      user_id: w.writer.id,
      metadata: { author: 'hegel', year: 1812 },
    })
    expect(file.id).toMatch(/^file-[0-9a-f]{24}$/)
    expect(Math.abs(file.created_at - Date.now() / 1000)).toBeLessThan(60)
    expect(await r2Keys(`${w.writer.orgId}/${w.ws}/${file.id}`)).toHaveLength(1)
  })

  it('several files answer with an array (L0 batch upload), each with the shared metadata', async () => {
    const form = uploadForm(
      [
        ['a.md', '# Logic\n\nThe science of pure thought.'],
        ['b.json', '{"k": [1, 2]}'],
        ['c.csv', 'name,age\nada,36\n'],
      ],
      { metadata: JSON.stringify({ category: 'philosophy', author: 'hegel' }), workspace: w.ws },
    )
    const files = await callJson('POST', '/files', { token: w.admin.token, form })
    expect(files).toHaveLength(3)
    expect(files.map((f: { filename: string }) => f.filename)).toEqual(['a.md', 'b.json', 'c.csv'])
    for (const f of files) expect(f.metadata).toEqual({ category: 'philosophy', author: 'hegel' })
    expect(new Set(files.map((f: { id: string }) => f.id)).size).toBe(3)
  })

  it('a batch with bad files is refused whole, naming every bad file, and stores nothing', async () => {
    const before = await listIds(w.admin.token, w.ws)
    const keysBefore = await r2Keys(`${w.admin.orgId}/${w.ws}/`)
    const notPdf = await fixtureBytes('hostile/mislabeled/elife-56337.txt')
    const form = uploadForm([
      ['good.txt', 'fine'],
      ['empty.txt', ''],
      ['tool.exe', 'MZ\u0090\u0000'],
      ['paper.pdf', notPdf],
      ['big.txt', 'x'.repeat(4 * 1024 * 1024 + 1)],
    ], { workspace: w.ws })
    const res = await call('POST', '/files', { token: w.admin.token, form })
    expect(res.status).toBe(422)
    const { error } = await res.json<any>()
    expect(error.param).toBe('file')
    expect(error.message).toMatch(/Nothing was stored/)
    for (const name of ['empty.txt', 'tool.exe', 'paper.pdf', 'big.txt']) expect(error.message).toContain(`"${name}"`)
    expect(error.message).not.toContain('"good.txt"')
    expect(error.message).toMatch(/empty/)
    expect(error.message).toMatch(/4 MB limit/)
    expect(await listIds(w.admin.token, w.ws)).toEqual(before)
    expect(await r2Keys(`${w.admin.orgId}/${w.ws}/`)).toEqual(keysBefore)
  })

  it.each([
    ['not JSON', '{author: hegel}'],
    ['an array', '["a"]'],
    ['a string', '"hegel"'],
  ])('metadata that is %s is 422 naming metadata', async (_, metadata) => {
    const res = await call('POST', '/files', { token: w.admin.token, form: uploadForm([['a.txt', 'x']], { metadata }) })
    expect(res.status).toBe(422)
    expect((await res.json<any>()).error.param).toBe('metadata')
  })

  it('a form without a file, or with text where a file belongs, is 422 naming file', async () => {
    const noFile = new FormData()
    noFile.append('purpose', 'user_data')
    const res1 = await call('POST', '/files', { token: w.admin.token, form: noFile })
    expect(res1.status).toBe(422)
    expect((await res1.json<any>()).error.param).toBe('file')
    const textFile = new FormData()
    textFile.append('file', 'just text')
    const res2 = await call('POST', '/files', { token: w.admin.token, form: textFile })
    expect(res2.status).toBe(422)
    expect((await res2.json<any>()).error.param).toBe('file')
  })

  it('a JSON body where multipart is expected is 415', async () => {
    const res = await call('POST', '/files', { token: w.admin.token, body: { file: 'x' } })
    expect(res.status).toBe(415)
  })

  it('an unknown workspace is 404; a bad workspace id 422', async () => {
    const res = await call('POST', '/files', { token: w.admin.token, form: uploadForm([['a.txt', 'x']], { workspace: 'nope' }) })
    expect(res.status).toBe(404)
    const bad = await call('POST', '/files', { token: w.admin.token, form: uploadForm([['a.txt', 'x']], { workspace: 'No Way' }) })
    expect(bad.status).toBe(422)
    expect((await bad.json<any>()).error.param).toBe('workspace')
  })
})

describe('reading', () => {
  it('content returns the identical bytes with the right content type', async () => {
    for (const [path, type] of [
      ['samples/pdf/multi_page.pdf', 'application/pdf'],
      ['samples/docx/word_sample.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['samples/csv/csv-comma.csv', 'text/csv; charset=utf-8'],
    ] as const) {
      const bytes = await fixtureBytes(path)
      const name = path.split('/').pop()!
      const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([[name, bytes]], { workspace: w.ws }) })
      const res = await call('GET', `/files/${file.id}/content`, { token: w.reader.token })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe(type)
      expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes)
    }
  })

  it('lists newest first by default, pages with after and limit, filters by purpose', async () => {
    const ws = unique('list')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id: ws } })
    const ids: string[] = []
    for (let i = 0; i < 5; i++) ids.push((await uploadText(w.admin.token, ws, `n${i}.txt`)).id)
    await callJson('POST', '/files', { token: w.admin.token, form: uploadForm([['fine-tune.txt', 'x']], { workspace: ws, purpose: 'fine-tune' }) })
    const all = await callJson('GET', `/files?workspace=${ws}&purpose=user_data`, { token: w.admin.token })
    expect(all.object).toBe('list')
    expect(all.total).toBe(5)
    expect(all.data.map((f: { id: string }) => f.id)).toEqual([...ids].reverse())
    const page1 = await callJson('GET', `/files?workspace=${ws}&purpose=user_data&order=asc&limit=2`, { token: w.admin.token })
    expect(page1.data.map((f: { id: string }) => f.id)).toEqual(ids.slice(0, 2))
    expect(page1.has_more).toBe(true)
    const page2 = await callJson('GET', `/files?workspace=${ws}&purpose=user_data&order=asc&limit=2&after=${ids[1]}`, { token: w.admin.token })
    expect(page2.data.map((f: { id: string }) => f.id)).toEqual(ids.slice(2, 4))
    const last = await callJson('GET', `/files?workspace=${ws}&purpose=user_data&order=asc&limit=2&after=${ids[3]}`, { token: w.admin.token })
    expect(last.data.map((f: { id: string }) => f.id)).toEqual([ids[4]])
    expect(last.has_more).toBe(false)
    for (const q of ['limit=0', 'limit=10001', 'limit=abc', 'order=up', 'after=file-nope']) {
      const res = await call('GET', `/files?workspace=${ws}&${q}`, { token: w.admin.token })
      expect(res.status, q).toBe(422)
      expect((await res.json<any>()).error.param).toBe(q.split('=')[0])
    }
  })

  it('a PDF page as a PNG: drawn on demand, kept, the same bytes next time; every refusal in OpenAI\'s error shape', async () => {
    const bytes = await fixtureBytes('samples/pdf/tracemonkey.pdf')
    const pdf = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['tracemonkey.pdf', bytes]], { workspace: w.ws }) })
    const res = await call('GET', `/files/${pdf.id}/pages/2/image`, { token: w.reader.token })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    const png = new Uint8Array(await res.arrayBuffer())
    expect([...png.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47])
    // A US Letter page of text and a figure: 612 × 792 pt at 144 dpi, or a little less to fit 1,568 px.
    const view = new DataView(png.buffer, png.byteOffset)
    expect(view.getUint32(20)).toBe(1568)
    expect(Number(res.headers.get('content-length'))).toBe(png.byteLength)
    expect(await r2Keys(`renders/${pdf.id}/`)).toEqual([`renders/${pdf.id}/page-00002.png`])
    const again = await call('GET', `/files/${pdf.id}/pages/2/image?workspace=${w.ws}`, { token: w.reader.token })
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(png)

    const refusal = async (path: string, status: number, code: string, param: string | null) => {
      const r = await call('GET', path, { token: w.reader.token })
      const body = await r.json<any>()
      expect(r.status, `${path}: ${JSON.stringify(body)}`).toBe(status)
      expect(body.error).toMatchObject({ code, param })
      return body.error.message as string
    }
    expect(await refusal(`/files/${pdf.id}/pages/15/image`, 404, 'page_not_found', 'page')).toBe(
      'Page 15 of "tracemonkey.pdf" cannot be shown: the PDF has 14 pages, so page 15 cannot be shown.',
    )
    await refusal(`/files/${pdf.id}/pages/0/image`, 422, 'invalid_value', 'page')
    await refusal(`/files/${pdf.id}/pages/two/image`, 422, 'invalid_value', 'page')
    const text = await uploadText(w.writer.token, w.ws)
    expect(await refusal(`/files/${text.id}/pages/1/image`, 422, 'not_a_pdf', 'file_id')).toMatch(/is not a PDF; only PDF pages have pictures\.$/)
    await refusal(`/files/file-nope/pages/1/image`, 404, 'not_found', 'file_id')
  })

  it('a file named with the wrong workspace is 404', async () => {
    const file = await uploadText(w.admin.token, w.ws)
    expect((await call('GET', `/files/${file.id}?workspace=default`, { token: w.admin.token })).status).toBe(404)
    expect((await call('GET', `/files/${file.id}?workspace=${w.ws}`, { token: w.admin.token })).status).toBe(200)
  })
})

describe('listing with a metadata filter', () => {
  it('selects by the filter language, as L0 scripts write it', async () => {
    const ws = unique('filter')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id: ws } })
    const up = async (name: string, metadata: object) =>
      (await callJson('POST', '/files', { token: w.admin.token, form: uploadForm([[name, 'text']], { workspace: ws, metadata: JSON.stringify(metadata) }) })).id as string
    const hegel = await up('logic.txt', { author: 'hegel', category: 'philosophy', year: 1812, tags: ['logic', 'dialectic'] })
    const kant = await up('critique.txt', { author: 'kant', category: 'philosophy', year: 1781 })
    const euclid = await up('elements.txt', { author: 'euclid', category: 'mathematics' })
    const bare = await up('bare.txt', {})
    const ids = async (filter: string) => {
      const list = await callJson('GET', `/files?workspace=${ws}&order=asc&metadata=${encodeURIComponent(filter)}`, { token: w.admin.token })
      return list.data.map((f: { id: string }) => f.id)
    }
    expect(await ids("metadata.author == 'hegel'")).toEqual([hegel])
    expect(await ids("metadata.author != 'hegel'")).toEqual([kant, euclid])
    expect(await ids('category = "philosophy" and year < 1800')).toEqual([kant])
    expect(await ids('metadata.tags = "logic"')).toEqual([hegel])
    expect(await ids('author is null')).toEqual([bare])
    expect(await ids('filename like "%.TXT" and not author in ["kant", "euclid"]')).toEqual([hegel, bare])
    const total = await callJson('GET', `/files?workspace=${ws}&metadata=${encodeURIComponent('year > 1700')}`, { token: w.admin.token })
    expect(total.total).toBe(2)
  })

  it('a bad expression is 422 naming metadata, with the column', async () => {
    const res = await call('GET', `/files?metadata=${encodeURIComponent('metadata.author == ')}`, { token: w.admin.token })
    expect(res.status).toBe(422)
    const { error } = await res.json<any>()
    expect(error).toMatchObject({ param: 'metadata', message: 'filter: expected a value, found end of input at column 20' })
    const page = await call('GET', `/files?metadata=${encodeURIComponent('page = 3')}`, { token: w.admin.token })
    expect(page.status).toBe(422)
    expect((await page.json<any>()).error.param).toBe('metadata')
  })
})

describe('metadata', () => {
  it('merges shallowly, and null removes a key', async () => {
    const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['m.txt', 'x']], { workspace: w.ws, metadata: '{"a": 1, "b": {"c": 2}, "d": "keep"}' }) })
    const updated = await callJson('PATCH', `/files/${file.id}/metadata`, { token: w.writer.token, body: { a: null, b: { e: 3 }, f: [1, 'x'] } })
    expect(updated.metadata).toEqual({ b: { e: 3 }, d: 'keep', f: [1, 'x'] })
    expect((await callJson('GET', `/files/${file.id}`, { token: w.reader.token })).metadata).toEqual(updated.metadata)
  })

  it('instructions without a reasoning model is 422 saying so, and changes nothing', async () => {
    const file = await uploadText(w.writer.token, w.ws)
    const res = await call('PATCH', `/files/${file.id}/metadata`, { token: w.writer.token, body: { instructions: 'extract the author', x: 1 } })
    expect(res.status).toBe(422)
    const { error } = await res.json<any>()
    expect(error).toMatchObject({ param: 'instructions', code: 'model_not_configured' })
    expect(error.message).toMatch(/no reasoning model is configured/)
    expect((await callJson('GET', `/files/${file.id}`, { token: w.writer.token })).metadata).toEqual({})
  })

  it('a body that is not a JSON object is 422', async () => {
    const file = await uploadText(w.writer.token, w.ws)
    for (const body of [[1], 'x', 3]) {
      expect((await call('PATCH', `/files/${file.id}/metadata`, { token: w.writer.token, body })).status).toBe(422)
    }
  })
})

describe('deletion', () => {
  it('removes the row, the bytes, and the chunks', async () => {
    const file = await uploadText(w.writer.token, w.ws)
    const key = `${w.writer.orgId}/${w.ws}/${file.id}`
    expect(await env.FILES.head(key)).not.toBeNull()
    const res = await callJson('DELETE', `/files/${file.id}`, { token: w.writer.token })
    expect(res).toEqual({ id: file.id, object: 'file', deleted: true })
    expect(await env.FILES.head(key)).toBeNull()
    expect((await call('GET', `/files/${file.id}`, { token: w.writer.token })).status).toBe(404)
    const rows = await env.DB.prepare('SELECT count(*) AS n FROM files WHERE id = ?1').bind(file.id).first<{ n: number }>()
    expect(rows!.n).toBe(0)
    expect(await chunkCount(file.id, { orgId: w.writer.orgId, workspaceId: w.ws })).toBe(0)
  })

  it('deleting a workspace deletes its files and their bytes', async () => {
    const ws = unique('doomed')
    await callJson('POST', '/workspaces', { token: w.admin.token, body: { id: ws } })
    const a = await uploadText(w.admin.token, ws)
    const b = await uploadText(w.admin.token, ws)
    await callJson('DELETE', `/workspaces/${ws}`, { token: w.admin.token }, 204)
    expect(await r2Keys(`${w.admin.orgId}/${ws}/`)).toEqual([])
    const left = await env.DB.prepare('SELECT count(*) AS n FROM files WHERE id IN (?1, ?2)').bind(a.id, b.id).first<{ n: number }>()
    expect(left!.n).toBe(0)
  })
})

describe('with the OpenAI SDK', () => {
  it('files.create, retrieve, list, content and delete work as written for OpenAI', async () => {
    const client = new OpenAI({ baseURL: 'http://cairn.test/v1', apiKey: w.writer.token, fetch: (url, init) => SELF.fetch(url as string, init as RequestInit) })
    const created = await client.files.create({ file: new File(['Hegel wrote the Science of Logic.'], 'logic.txt'), purpose: 'user_data' })
    expect(created.id).toMatch(/^file-/)
    expect(created.filename).toBe('logic.txt')
    const got = await client.files.retrieve(created.id)
    expect(got.bytes).toBe(33)
    const page = await client.files.list()
    expect(page.data.map((f) => f.id)).toContain(created.id)
    const content = await client.files.content(created.id)
    expect(await content.text()).toBe('Hegel wrote the Science of Logic.')
    const deleted = await client.files.delete(created.id)
    expect(deleted.deleted).toBe(true)
  })
})
