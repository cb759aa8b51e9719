/**
 * The L0 docs' own requests (shared/spec/reference/l0-docs.txt), sent with plain `fetch` as their
 * Python `requests` examples send them, with only the URL and the token changed: a script written
 * for L0 must work against Cairn unedited. Each payload quotes the section it comes from.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { PDFDocument, StandardFonts } from 'pdf-lib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codePointSlice, startCairn, waitUntilProcessed, waitUntilReady, type RunningCairn } from './start-cairn'

const samples = path.resolve(import.meta.dirname, '../../../shared/fixtures/samples/pdf')

let cairn: RunningCairn
let url = ''
let headers: Record<string, string> = {}

beforeAll(async () => {
  cairn = await startCairn()
  // The docs: url = 'https://api.activeloop.ai/…'; headers = {'Authorization': f'Bearer {token}'}
  url = cairn.base
  headers = { Authorization: `Bearer ${cairn.token}` }
})

afterAll(async () => {
  await cairn?.stop()
})

type FilePart = { name: string; bytes: Uint8Array }

/**
 * `requests.post(url, headers=headers, files=files, data=data)` byte for byte as requests encodes it:
 * the `data` fields first, then each file with its name and no Content-Type of its own.
 */
function requestsMultipart(files: FilePart[], data: Record<string, string> = {}): { body: Uint8Array; contentType: string } {
  const boundary = randomBytes(16).toString('hex')
  const parts: Uint8Array[] = []
  const text = (s: string) => parts.push(new TextEncoder().encode(s))
  for (const [name, value] of Object.entries(data)) text(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
  for (const file of files) {
    text(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n\r\n`)
    parts.push(file.bytes)
    text('\r\n')
  }
  text(`--${boundary}--\r\n`)
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` }
}

/** Python's `json.dumps` with its default separators, as the docs build the `metadata` field. */
const jsonDumps = (value: Record<string, string>) => `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`).join(', ')}}`

/** `requests.post(url, headers=headers, json=payload)`. */
async function postJson(pathname: string, payload: unknown) {
  const res = await fetch(`${url}${pathname}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(payload) })
  return { status: res.status, json: (await res.json()) as any }
}

async function get(pathname: string) {
  const res = await fetch(`${url}${pathname}`, { headers })
  return { status: res.status, json: (await res.json()) as any }
}

/** A one-page PDF saying `text`, for the docs' philosophy/ and mathematics/ folders. */
async function pdfSaying(text: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  const font = await doc.embedFont(StandardFonts.Helvetica)
  const page = doc.addPage([612, 792])
  text.match(/.{1,80}(\s|$)/g)!.forEach((line, i) => page.drawText(line.trim(), { x: 50, y: 720 - i * 18, size: 12, font }))
  return doc.save()
}

/**
 * Attribute access as the Python SDK's response objects do it: a field OpenAI's types do not declare
 * (`reasoning_content`, `metadata`) exists only if the server sent it, else AttributeError.
 */
function pythonAttr(obj: Record<string, unknown>, name: string, declared: readonly string[] = []): unknown {
  if (name in obj) return obj[name]
  if (declared.includes(name)) return null
  throw new Error(`AttributeError: object has no attribute '${name}' in ${JSON.stringify(obj).slice(0, 200)}`)
}
const DELTA_FIELDS = ['content', 'function_call', 'refusal', 'role', 'tool_calls']

/** The SSE of a `stream: true` request as the SDK's iterator yields it: one object per `data:` up to `[DONE]`. */
async function sseChunks(res: Response): Promise<any[]> {
  const text = await res.text()
  const chunks: any[] = []
  for (const event of text.split(/\r?\n\r?\n/)) {
    const data = event
      .split(/\r?\n/)
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(5).trimStart())
      .join('\n')
    if (!data) continue
    if (data === '[DONE]') return chunks
    const chunk = JSON.parse(data)
    if (chunk.error) throw new Error(`stream error: ${JSON.stringify(chunk.error)}`)
    chunks.push(chunk)
  }
  throw new Error('the stream ended without data: [DONE]')
}

describe('the L0 docs, run against Cairn', () => {
  const uploaded: Record<string, Array<{ id: string; filename: string }>> = {}

  it('QuickStart, "Upload Documents": several `file` parts in one request answer with an array of files', async () => {
    // files = [('file', (os.path.basename(url), io.BytesIO(requests.get(url).content))) for url in pdf_urls]
    // response = requests.post('https://api.activeloop.ai/files', headers={"Authorization": …}, files=files)
    // (the fixture PDFs stand in for the four NASA guides, which this machine cannot download)
    const files = ['multi_page.pdf', '2305.03393v1-pg9.pdf'].map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(samples, name))) }))
    const { body, contentType } = requestsMultipart(files)
    await waitUntilReady(url)
    const res = await fetch(`${url}/files`, { method: 'POST', headers: { ...headers, 'Content-Type': contentType }, body })
    expect(res.status).toBe(200)
    const json = (await res.json()) as any[]
    expect(Array.isArray(json)).toBe(true)
    expect(json.map((f) => f.filename)).toEqual(['multi_page.pdf', '2305.03393v1-pg9.pdf'])
    for (const f of json) {
      expect(f).toMatchObject({ object: 'file', purpose: 'user_data', status: 'uploaded', workspace_id: 'default', metadata: {}, expires_at: null })
      expect(Object.keys(f)).toEqual(expect.arrayContaining(['id', 'bytes', 'created_at', 'status_details', 'org_id', 'user_id']))
      await waitUntilProcessed(url, cairn.token, f.id)
    }
    uploaded.quickstart = json
  })

  it('Data Upload, batch with metadata: one request per author folder, metadata as json.dumps in `data`', async () => {
    const library: Record<string, Record<string, Record<string, string>>> = {
      philosophy: {
        hegel: {
          'science_of_logic.pdf': 'Logic is the science of the pure Idea, that is, of the Idea in the abstract element of thinking.',
          'encyclopaedia.pdf': 'The Encyclopaedia begins with the Science of Logic, then the Philosophy of Nature and of Spirit.',
        },
        kant: { 'critique.pdf': 'Logic is the science of the rules of the understanding in general, the canon of all thinking.' },
      },
      mathematics: { boole: { 'laws_of_thought.pdf': 'Logic is the study of the laws of thought, expressed in the symbolical language of a Calculus.' } },
    }
    for (const [category, authors] of Object.entries(library)) {
      for (const [author, pdfs] of Object.entries(authors)) {
        // files = [('file', (pdf, open(f'{category}/{author}/{pdf}', 'rb'))) for pdf in os.listdir(…)]
        const files = await Promise.all(Object.entries(pdfs).map(async ([name, text]) => ({ name, bytes: await pdfSaying(text) })))
        // metadata = {'category': category, 'author': author}; data = {'metadata': json.dumps(metadata)}
        const data = { metadata: jsonDumps({ category, author }) }
        // response = requests.post(url, headers=headers, files=files, data=data); print(response.status_code)
        const { body, contentType } = requestsMultipart(files, data)
        await waitUntilReady(url)
        const res = await fetch(`${url}/files`, { method: 'POST', headers: { ...headers, 'Content-Type': contentType }, body })
        expect(res.status, await res.clone().text()).toBe(200)
        const json = (await res.json()) as any
        // One part answers with OpenAI's file object, several with L0's array.
        const list: any[] = Array.isArray(json) ? json : [json]
        expect(list).toHaveLength(files.length)
        for (const f of list) expect(f.metadata).toEqual({ category, author })
        uploaded[author] = list
      }
    }
    for (const list of Object.values(uploaded)) for (const f of list) await waitUntilProcessed(url, cairn.token, f.id)
  })

  it('API reference, GET /files with the metadata filter: {"data": [file], "object": "list", "total": N}', async () => {
    const all = await get('/files')
    expect(all.status).toBe(200)
    expect(all.json).toMatchObject({ object: 'list', total: 6 })
    expect(all.json.data).toHaveLength(6)
    const hegel = await get(`/files?metadata=${encodeURIComponent("metadata.author == 'hegel'")}`)
    expect(hegel.status).toBe(200)
    expect(hegel.json.data.map((f: any) => f.filename).sort()).toEqual(['encyclopaedia.pdf', 'science_of_logic.pdf'])
    expect(hegel.json.total).toBe(2)
  })

  it('Data Upload, "Query Data": {"model": "activeloop-l0", "messages": [{"role": "user", "content": "What is logic?"}]}', async () => {
    const payload = { model: 'activeloop-l0', messages: [{ role: 'user', content: 'What is logic?' }] }
    await waitUntilReady(url)
    const response = await postJson('/chat/completions', payload)
    expect(response.status).toBe(200)
    expect(response.json).toMatchObject({ object: 'chat.completion', model: 'activeloop-l0' })
    const choice = response.json.choices[0]
    expect(choice.message.content).toMatch(/Logic is the/)
    expect(choice.message.reasoning_content).toEqual(expect.any(String))
    for (const a of choice.message.annotations) expect(codePointSlice(choice.message.content, a.start_index, a.end_index)).toBe(a.text)
    expect(choice.metadata.relevant_docs.length).toBeGreaterThan(0)
  })

  it('Data Upload, l0-retrieval: a {"type": "filter", "top_k": 3} part gives the top 3 elements in "choices"', async () => {
    const payload = {
      model: 'activeloop-l0-retrieval',
      messages: [{ role: 'user', content: [{ type: 'filter', top_k: 3 }, { type: 'text', text: 'What is logic?' }] }],
    }
    await waitUntilReady(url)
    const response = await postJson('/chat/completions', payload)
    expect(response.status).toBe(200)
    // print(response.json()["choices"]) # top k elements
    const choices = response.json.choices
    expect(choices).toHaveLength(3)
    for (const c of choices) {
      expect(c.message).toMatchObject({ role: 'assistant', content: expect.any(String) })
      expect(c.metadata).toMatchObject({ file_id: expect.any(String), filename: expect.any(String), chunk_id: expect.any(String), score: expect.any(Number) })
    }
    expect(choices[0].message.content).toMatch(/[Ll]ogic/)
  })

  it.each([
    ["metadata.author == 'hegel'", (author: unknown) => author === 'hegel'],
    ["metadata.author != 'hegel'", (author: unknown) => author !== 'hegel'],
  ])('Data Upload, "filter files based on metadata": l0 with {"type": "filter", "filter": "%s"}', async (filter, allowed) => {
    const payload = {
      model: 'activeloop-l0',
      messages: [{ role: 'user', content: [{ type: 'filter', filter }, { type: 'text', text: 'What is logic?' }] }],
    }
    await waitUntilReady(url)
    const response = await postJson('/chat/completions', payload)
    expect(response.status, JSON.stringify(response.json)).toBe(200)
    const docs: any[] = response.json.choices[0].metadata.relevant_docs
    expect(docs.length).toBeGreaterThan(0)
    for (const d of docs) expect(allowed(d.file_metadata.author), `${d.filename} by ${d.file_metadata.author}`).toBe(true)
    expect(response.json.choices[0].message.reasoning_content).toContain(`(filter: ${filter})`)
  })

  it.each([
    [
      'QuickStart, "Query Data"',
      'Using the side-view diagrams that annotate overall height, rank SLS Block 1, Orion (CM + SM), ' +
        'Falcon 9 (v1.2 FT), and Vulcan Centaur by height; which vehicle is the second tallest, ' +
        'and what is its annotated height (m, one decimal place)?',
    ],
    ['Streaming', 'what is the AIME score of DeepSeek R1?'],
  ])('%s: the Python loop over a stream=True completion works on every chunk', async (_section, question) => {
    // client.chat.completions.create(model="activeloop-l0", messages=[{"role": "user", "content": …}], stream=True)
    const payload = { model: 'activeloop-l0', messages: [{ role: 'user', content: question }], stream: true }
    await waitUntilReady(url)
    const res = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(payload) })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const events = await sseChunks(res)
    // chunks = [chunk.choices[0] for chunk in response]
    const chunks = events.map((e) => {
      expect(e.choices.length, JSON.stringify(e)).toBeGreaterThan(0)
      return e.choices[0]
    })
    // thinking = "".join([c.delta.reasoning_content for c in chunks if c.delta.reasoning_content is not None])
    const thinking = chunks
      .map((c) => pythonAttr(c.delta, 'reasoning_content', DELTA_FIELDS))
      .filter((t) => t !== null && t !== undefined)
      .join('')
    // answer = "".join([c.delta.content for c in chunks if c.delta.content is not None])
    const answer = chunks
      .map((c) => pythonAttr(c.delta, 'content', DELTA_FIELDS))
      .filter((t) => t !== null && t !== undefined)
      .join('')
    // citations = chunks[-1].metadata['relevant_docs']
    const citations = (pythonAttr(chunks.at(-1), 'metadata') as any).relevant_docs
    expect(thinking).toMatch(/Searching '.+' in \d+ files?\./)
    expect(answer.length).toBeGreaterThan(0)
    expect(Array.isArray(citations)).toBe(true)
  })

  it('API reference, POST /chat/completions: the documented request body with every field is accepted', async () => {
    // The request example of "Create a chat completion with OpenAI-compatible format", as written.
    const payload = {
      workspace: 'default',
      model: 'activeloop-l0',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'text' }] }],
      temperature: 1,
      top_p: 1,
      n: 1,
      stream: false,
      max_tokens: 1,
      max_completion_tokens: 1,
      presence_penalty: 0,
      frequency_penalty: 0,
      logit_bias: { ANY_ADDITIONAL_PROPERTY: 1 },
      logprobs: false,
      top_logprobs: 1,
      stop: 'text',
      seed: 1,
      response_format: { type: 'text' },
      user: 'text',
      stream_options: { include_usage: true },
      store: false,
      metadata: { ANY_ADDITIONAL_PROPERTY: 'text' },
      modalities: ['text'],
      service_tier: 'text',
      reasoning_effort: 'low',
    }
    await waitUntilReady(url)
    const response = await postJson('/chat/completions', payload)
    expect(response.status, JSON.stringify(response.json)).toBe(200)
    expect(response.json).toMatchObject({ object: 'chat.completion', model: 'activeloop-l0', usage: expect.any(Object), perception_usage: expect.any(Object) })
    expect(response.json.choices[0].message).toMatchObject({ content: expect.any(String), reasoning_content: expect.any(String), annotations: expect.any(Array) })
  })

  it('API reference, stored completions: POST /chat/completions/{id} with the metadata object itself, messages, list, delete', async () => {
    // The "Query Data" payload, kept ("store": true) so the stored-completion routes have one to serve.
    const payload = { model: 'activeloop-l0', messages: [{ role: 'user', content: 'What is logic?' }], store: true }
    await waitUntilReady(url)
    const made = await postJson('/chat/completions', payload)
    expect(made.status).toBe(200)
    const id = made.json.id

    // POST /chat/completions/{completion_id}  {"ANY_ADDITIONAL_PROPERTY": "text"}
    const updated = await postJson(`/chat/completions/${id}`, { ANY_ADDITIONAL_PROPERTY: 'text' })
    expect(updated.status, JSON.stringify(updated.json)).toBe(200)
    expect(updated.json).toMatchObject({ id, object: 'chat.completion', metadata: { ANY_ADDITIONAL_PROPERTY: 'text' } })

    const one = await get(`/chat/completions/${id}`)
    expect(one.status).toBe(200)
    expect(one.json.choices[0].message.content).toBe(made.json.choices[0].message.content)

    const list = await get('/chat/completions')
    expect(list.status).toBe(200)
    expect(list.json).toMatchObject({ object: 'list', first_id: id, last_id: id, has_more: false })
    expect(list.json.data.map((c: any) => c.id)).toEqual([id])

    const messages = await get(`/chat/completions/${id}/messages`)
    expect(messages.status).toBe(200)
    expect(messages.json).toMatchObject({ object: 'list', has_more: false })
    expect(messages.json.data).toEqual([{ id: expect.any(String), role: 'user', content: 'What is logic?', name: null, content_parts: null }])
    expect(messages.json.first_id).toBe(messages.json.data[0].id)

    const deleted = await fetch(`${url}/chat/completions/${id}`, { method: 'DELETE', headers })
    expect(await deleted.json()).toEqual({ id, object: 'chat.completion.deleted', deleted: true })
    expect((await get(`/chat/completions/${id}`)).status).toBe(404)
  })

  it('API reference, files: PATCH metadata {"ANY_ADDITIONAL_PROPERTY": "anything"}, GET content, DELETE', async () => {
    const file = uploaded.kant![0]!
    await waitUntilReady(url)
    const patched = await fetch(`${url}/files/${file.id}/metadata`, {
      method: 'PATCH',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ANY_ADDITIONAL_PROPERTY: 'anything' }),
    })
    expect(patched.status).toBe(200)
    expect(((await patched.json()) as any).metadata).toEqual({ category: 'philosophy', author: 'kant', ANY_ADDITIONAL_PROPERTY: 'anything' })

    const content = await fetch(`${url}/files/${file.id}/content`, { headers })
    expect(content.status).toBe(200)
    expect(new TextDecoder().decode((await content.arrayBuffer()).slice(0, 5))).toBe('%PDF-')

    const deleted = await fetch(`${url}/files/${file.id}`, { method: 'DELETE', headers })
    expect(await deleted.json()).toEqual({ id: file.id, object: 'file', deleted: true })
    expect((await get(`/files/${file.id}`)).status).toBe(404)
  })

  it('API reference, workspaces: POST {"id": "text", "name": "text"}, GET one and all, DELETE', async () => {
    await waitUntilReady(url)
    const created = await postJson('/workspaces', { id: 'text', name: 'text' })
    expect(created.status).toBe(200)
    expect(created.json).toMatchObject({ id: 'text', name: 'text', creator_user_id: expect.any(String), org_id: expect.any(String) })
    expect(new Date(created.json.created_at).toISOString()).toBe(created.json.created_at)
    expect((await get('/workspaces/text')).json).toEqual(created.json)
    expect((await get('/workspaces')).json.data.map((w: any) => w.id)).toEqual(expect.arrayContaining(['default', 'text']))
    const deleted = await fetch(`${url}/workspaces/text`, { method: 'DELETE', headers })
    expect(deleted.status).toBe(204)
    expect((await get('/workspaces/text')).status).toBe(404)
  })
})
