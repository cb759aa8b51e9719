/**
 * The `l0` agent end to end in workerd: a real Durable Object per run, real D1 and R2, and either no
 * models (the extractive answer) or the scripted OpenAI-compatible model server driving research,
 * tool calls, a citation the verifier drops, failures, and a stream left mid-way and replayed.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { call, callJson, createOrgWithWorkspace, createPerson, unique, uploadForm, waitForIngestAll } from './api-client'
import { server, script, received } from './model-server-client'
import { fixtureBytes } from './fixtures'
import { useRunEnv } from './run-env'

type World = Awaited<ReturnType<typeof createOrgWithWorkspace>>

let w: World
const ids: Record<string, string> = {}



/** A workspace of `w`'s org whose runs use a reasoning model of its own on the scripted server. */
async function workspaceWithModel(): Promise<{ ws: string; model: string }> {
  const ws = unique('ws')
  await callJson('POST', '/workspaces', { token: w.admin.token, body: { id: ws, name: 'With a model' } })
  await call('POST', `/workspaces/${ws}/user`, { token: w.admin.token, body: { user: w.reader.id, access: 'reader' } })
  const bytes = await fixtureBytes('samples/pdf/multi_page.pdf')
  const [file] = [await callJson('POST', '/files', { token: w.admin.token, form: uploadForm([['multi_page.pdf', bytes!]], { workspace: ws }) })]
  await waitForIngestAll(w.admin.token, ws, [file.id])
  const model = unique('reasoner')
  useRunEnv(ws, { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, REASONING_MODEL: model })
  return { ws, model }
}

function ask(body: Record<string, unknown>, token = w.reader.token) {
  return call('POST', '/v1/chat/completions', { token, body: { model: 'l0', workspace: w.ws, ...body } })
}

const question = (text: string) => [{ role: 'user', content: text }]

type Sse = { chunks: any[]; done: boolean; raw: string }

/** Reads an SSE body whole: the JSON chunks, and whether it ended with [DONE]. */
async function readSse(res: Response): Promise<Sse> {
  const raw = await res.text()
  const datas = raw.split('\n\n').filter(Boolean).map((e) => e.replace(/^data: /, ''))
  const done = datas.at(-1) === '[DONE]'
  return { chunks: datas.filter((d) => d !== '[DONE]').map((d) => JSON.parse(d)), done, raw }
}

const joined = (chunks: any[], field: 'content' | 'reasoning_content') => chunks.map((c) => c.choices?.[0]?.delta?.[field] ?? '').join('')

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  const [pdf, pptx] = await Promise.all(['pdf/multi_page.pdf', 'pptx/powerpoint_sample.pptx'].map((p) => fixtureBytes(`samples/${p}`)))
  const body = await callJson('POST', '/files', {
    token: w.writer.token,
    form: uploadForm([['multi_page.pdf', pdf!], ['powerpoint_sample.pptx', pptx!]], { workspace: w.ws }),
  })
  const files = await waitForIngestAll(w.writer.token, w.ws, body.map((f: { id: string }) => f.id))
  for (const f of files) {
    expect(f.status, f.status_details).toBe('processed')
    ids[f.filename] = f.id
  }
}, 120_000)

describe('without a reasoning model', () => {
  it('quotes the best passages with verified citations, and says why', async () => {
    const res = await ask({ messages: question('Who patented the typewriter in 1868?') })
    const completion = await res.json<any>()
    expect(res.status, JSON.stringify(completion)).toBe(200)
    expect(completion).toMatchObject({ object: 'chat.completion', model: 'l0', choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant' } }] })
    expect(completion.id).toMatch(/^chatcmpl-[0-9a-f]{32}$/)
    const { message, metadata } = completion.choices[0]
    expect(message.reasoning_content).toMatch(/No reasoning model is configured/)
    expect(message.reasoning_content).toMatch(/Searching 'Who patented the typewriter in 1868\?' in 2 files/)
    expect(message.content).toContain('Sholes')
    expect(message.annotations.length).toBeGreaterThan(0)
    const first = message.annotations[0]
    expect(first).toMatchObject({ type: 'file_citation', text: '[1]', file_citation: { file_id: ids['multi_page.pdf'], filename: 'multi_page.pdf', page: 1 } })
    expect([...message.content].slice(first.start_index, first.end_index).join('')).toBe('[1]')
    expect(first.file_citation.quote).toContain('Sholes')
    expect(metadata.relevant_docs[0]).toMatchObject({ file_id: ids['multi_page.pdf'], page: 1 })
    expect(metadata.relevant_docs[0].text).toContain(first.file_citation.quote)
    expect(completion.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })
    expect(completion.perception_usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 })
  })

  it('streams the trace, then the answer, then the citations, usage and [DONE]', async () => {
    const res = await ask({ messages: question('Who patented the typewriter in 1868?'), stream: true, stream_options: { include_usage: true } })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    const { chunks, done } = await readSse(res)
    expect(done).toBe(true)
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '', reasoning_content: null })
    expect(joined(chunks, 'reasoning_content')).toMatch(/No reasoning model is configured/)
    const content = joined(chunks, 'content')
    expect(content).toContain('Sholes')
    const last = chunks.at(-2)
    expect(last.choices[0].finish_reason).toBe('stop')
    expect(last.choices[0].metadata.relevant_docs[0].file_id).toBe(ids['multi_page.pdf'])
    for (const a of last.choices[0].delta.annotations) expect([...content].slice(a.start_index, a.end_index).join('')).toBe(a.text)
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 0 }, perception_usage: { total_tokens: 0 } })
    // The first content comes after the trace has said what it searched.
    const firstContent = chunks.findIndex((c) => c.choices?.[0]?.delta?.content)
    const firstTrace = chunks.findIndex((c) => c.choices?.[0]?.delta?.reasoning_content)
    expect(firstTrace).toBeLessThan(firstContent)
    for (const c of chunks.slice(0, -1)) expect(c).toMatchObject({ id: chunks[0].id, object: 'chat.completion.chunk', model: 'l0' })
  })

  it('says plainly when nothing matches', async () => {
    const completion = await (await ask({ messages: question('zyzzyva quixotic xylophone') })).json<any>()
    expect(completion.choices[0].message.content).toMatch(/found nothing/)
    expect(completion.choices[0].message.annotations).toEqual([])
  })

  it('honours the filter part', async () => {
    const completion = await (
      await ask({ messages: [{ role: 'user', content: [{ type: 'filter', filter: "filename == 'powerpoint_sample.pptx'" }, { type: 'text', text: 'Who patented the typewriter?' }] }] })
    ).json<any>()
    for (const doc of completion.choices[0].metadata.relevant_docs) expect(doc.filename).toBe('powerpoint_sample.pptx')
    expect(completion.choices[0].message.reasoning_content).toMatch(/in 1 file \(filter: filename == 'powerpoint_sample.pptx'\)/)
  })

  it('takes a request larger than a Durable Object row (3 MB of context), and names the question briefly', async () => {
    const context = 'Earlier notes about office machines and their history. '.repeat(55_000)
    const res = await ask({ messages: [{ role: 'user', content: context }, { role: 'assistant', content: 'Noted.' }, ...question('Who patented the typewriter in 1868?')] })
    const completion = await res.json<any>()
    expect(res.status, JSON.stringify(completion).slice(0, 300)).toBe(200)
    expect(completion.choices[0].message.content).toContain('Sholes')
    const long = await (await ask({ messages: question(`typewriter ${'patent '.repeat(400_000)}`) })).json<any>()
    expect(long.choices[0].message.reasoning_content.split('\n')[1]).toMatch(/^Searching 'typewriter patent patent .{100,200}…' in 2 files\.$/)
    // The audit log keeps the start of a long question and the hash of all of it.
    const [event] = (await callJson('GET', `/v1/audit?action=answer&target=${long.id}`, { token: w.reader.token })).data
    expect(event.details.question).toHaveLength(4001)
    expect(event.details.question_sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  it('refuses a picture when no vision model is configured, naming the part', async () => {
    const res = await ask({ messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] }] })
    const body = await res.json<any>()
    expect(res.status).toBe(422)
    expect(body.error).toMatchObject({ code: 'model_not_configured', param: 'messages[0].content[1]' })
  })
})

describe('the run log', () => {
  it('a finished run is erased when its retention alarm fires; a stored completion stays', async () => {
    const completion = await (await ask({ messages: question('typewriter'), store: true })).json<any>()
    const stub = env.COMPLETIONS.getByName(completion.id)
    expect(await runDurableObjectAlarm(stub)).toBe(true)
    expect(await stub.owner()).toBeNull()
    expect((await call('GET', `/chat/completions/${completion.id}/stream`, { token: w.reader.token })).status).toBe(404)
    expect((await call('GET', `/chat/completions/${completion.id}?workspace=${w.ws}`, { token: w.reader.token })).status).toBe(200)
  })

  it('a run found half-done after a restart ends with an error event, not silence', async () => {
    const id = `chatcmpl-${crypto.randomUUID().replace(/-/g, '')}`
    const stub = env.COMPLETIONS.getByName(id)
    const input = {
      id, created: 1, model: 'l0', orgId: w.reader.orgId, workspaceId: w.ws, userId: w.reader.id,
      messages: question('typewriter'), question: { messageIndex: 0, text: 'typewriter', filter: null, topK: null, images: [] },
      options: { effort: 'low', maxTokens: null, temperature: null, topP: null, seed: null, stop: [], store: false, metadata: {}, includeUsage: false },
    } as const
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec('INSERT INTO run (key, value) VALUES (?, ?), (?, ?)', 'input', JSON.stringify(input), 'state', 'running')
      await state.storage.setAlarm(Date.now() + 60_000)
    })
    await runDurableObjectAlarm(stub)
    const replay = await readSse(await call('GET', `/chat/completions/${id}/stream`, { token: w.reader.token }))
    expect(replay.chunks.at(-1)).toEqual({ error: expect.objectContaining({ code: 'run_interrupted', type: 'server_error' }) })
    expect(replay.done).toBe(true)
  })
})

describe('stored completions', () => {
  it('store: true keeps the answer and the request; without it nothing is kept', async () => {
    const messages = [{ role: 'system', content: 'Be brief.' }, ...question('Who patented the typewriter in 1868?')]
    const res = await ask({ messages, store: true, metadata: { topic: 'typewriters' } })
    const completion = await res.json<any>()
    expect(completion.metadata).toEqual({ topic: 'typewriters' })
    const stored = await callJson('GET', `/chat/completions/${completion.id}?workspace=${w.ws}`, { token: w.reader.token })
    expect(stored).toMatchObject({ id: completion.id, model: 'l0', metadata: { topic: 'typewriters' } })
    expect(stored.choices).toEqual(completion.choices)
    const listed = await callJson('GET', `/chat/completions?workspace=${w.ws}&metadata[topic]=typewriters`, { token: w.reader.token })
    expect(listed.data.map((c: any) => c.id)).toContain(completion.id)
    const kept = await callJson('GET', `/chat/completions/${completion.id}/messages?workspace=${w.ws}`, { token: w.reader.token })
    expect(kept.data.map((m: any) => [m.role, m.content])).toEqual([['system', 'Be brief.'], ['user', 'Who patented the typewriter in 1868?']])

    const unstored = await (await ask({ messages })).json<any>()
    expect(unstored.metadata).toBeUndefined()
    expect((await call('GET', `/chat/completions/${unstored.id}?workspace=${w.ws}`, { token: w.reader.token })).status).toBe(404)
  })

  it('a streamed run is stored too', async () => {
    const { chunks } = await readSse(await ask({ messages: question('typewriter'), stream: true, store: true }))
    const stored = await callJson('GET', `/chat/completions/${chunks[0].id}?workspace=${w.ws}`, { token: w.reader.token })
    expect(stored.choices[0].message.content).toBe(joined(chunks, 'content'))
    expect(stored.choices[0].message.reasoning_content).toBe(joined(chunks, 'reasoning_content'))
  })
})

describe('the run outlives its reader', () => {
  it('replays a finished run from the start, and only to readers of its workspace', async () => {
    const res = await ask({ messages: question('Who patented the typewriter in 1868?'), stream: true })
    const original = await readSse(res)
    const id = original.chunks[0].id
    const replay = await call('GET', `/v1/chat/completions/${id}/stream`, { token: w.writer.token })
    expect(replay.status).toBe(200)
    const again = await readSse(replay)
    expect(again.done).toBe(true)
    expect(again.chunks).toEqual(original.chunks)

    expect((await call('GET', `/chat/completions/${id}/stream`, { token: w.outsider.token })).status).toBe(403)
    const stranger = await createPerson(unique('org'))
    expect((await call('GET', `/chat/completions/${id}/stream`, { token: stranger.token })).status).toBe(404)
    expect((await call('GET', '/chat/completions/chatcmpl-00000000000000000000000000000000/stream', { token: w.reader.token })).status).toBe(404)
    expect((await call('GET', '/chat/completions/not-an-id/stream', { token: w.reader.token })).status).toBe(404)
  })
})

// Each test ingests a PDF into a workspace of its own first.
describe('with a reasoning model', { timeout: 60_000 }, () => {
  it('keeps running when the client leaves mid-stream, and the replay has it all', async () => {
    const { ws, model } = await workspaceWithModel()
    await script(model, [{ content: 'Enough.' }, { delayMs: 1500, content: 'Christopher Latham Sholes patented the typewriter in 1868 [1].' }])
    const res = await ask({ workspace: ws, stream: true, messages: question('Who patented the typewriter in 1868?') })
    const reader = res.body!.getReader()
    const decoder = new TextDecoder()
    let seen = ''
    while (!seen.includes('reasoning_content')) {
      const { value, done } = await reader.read()
      if (done) break
      seen += decoder.decode(value)
    }
    const id = JSON.parse(seen.split('\n\n')[0]!.replace(/^data: /, '')).id
    await reader.cancel()
    expect(seen).not.toContain('Sholes patented')

    const replay = await readSse(await call('GET', `/chat/completions/${id}/stream`, { token: w.reader.token }))
    expect(replay.done).toBe(true)
    expect(joined(replay.chunks, 'content')).toBe('Christopher Latham Sholes patented the typewriter in 1868 [1].')
    expect(joined(replay.chunks, 'reasoning_content')).toMatch(/^Searching/)
  })


  it('researches with tools, answers with markers, and drops the citation its passage does not support', async () => {
    const { ws, model } = await workspaceWithModel()
    await script(model, [
      { content: 'Plan: find who patented the typewriter.', toolCalls: [{ name: 'search', arguments: { queries: ['typewriter patent 1868', 'Sholes'] } }] },
      { content: 'The passages name the inventor. Enough to answer.' },
      { content: 'Christopher Latham Sholes patented the typewriter in 1868 [1]. The typewriter weighed 300 kilograms [1].' },
    ])
    const completion = await (await ask({ workspace: ws, messages: question('Who patented the typewriter in 1868?') })).json<any>()
    const { message, metadata } = completion.choices[0]
    expect(message.content).toBe('Christopher Latham Sholes patented the typewriter in 1868 [1]. The typewriter weighed 300 kilograms.')
    expect(message.annotations).toHaveLength(1)
    expect(message.annotations[0].file_citation).toMatchObject({ filename: 'multi_page.pdf', page: 1 })
    expect(message.reasoning_content).toMatch(/Searching 'typewriter patent 1868', 'Sholes' in 1 file\./)
    expect(message.reasoning_content).toMatch(/Plan: find who patented the typewriter\./)
    expect(message.reasoning_content).toMatch(/dropped \[1\] after "The typewriter weighed 300 kilograms": the passage does not state 300/)
    expect(metadata.relevant_docs).toHaveLength(1)
    // Three model calls, at the scripted server's 11 + 7 tokens each.
    expect(completion.usage).toEqual({ prompt_tokens: 33, completion_tokens: 21, total_tokens: 54 })
    const calls = await received(model)
    expect(calls).toHaveLength(3)
    expect(calls[0]!.body.tools.map((t: any) => t.function.name).sort()).toEqual(['list_files', 'read_page', 'search'])
    // The answer call sees the passages, numbered, and no tools.
    expect(calls[2]!.body.tools).toBeUndefined()
    expect(JSON.stringify(calls[2]!.body.messages)).toContain('[1] (multi_page.pdf, page 1')
    // The audit log has the answer before the client does: the question, the hash of the answer's text, the one citation kept, and the model.
    const [event] = (await callJson('GET', `/v1/audit?action=answer&target=${completion.id}`, { token: w.reader.token })).data
    const digest = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(message.content)))].map((b) => b.toString(16).padStart(2, '0')).join('')
    expect(event).toMatchObject({ workspace: ws, actor: { kind: 'user', id: w.reader.id }, details: { model: 'l0', question: 'Who patented the typewriter in 1868?', answer_sha256: digest, outcome: 'answered', model_ids: { reasoning: model } } })
    expect(event.details.cited).toEqual([expect.objectContaining({ file_id: message.annotations[0].file_citation.file_id, chunk_id: message.annotations[0].file_citation.chunk_id, page: 1 })])
  })

  it('tells the model when a tool call is malformed, and goes on', async () => {
    const { ws, model } = await workspaceWithModel()
    await script(model, [
      { toolCalls: [{ name: 'search', arguments: { queries: [] } }] },
      { content: 'Done.' },
      { content: 'Sholes patented it [1].' },
    ])
    const completion = await (await ask({ workspace: ws, messages: question('Who patented the typewriter in 1868?') })).json<any>()
    expect(completion.choices[0].message.content).toBe('Sholes patented it [1].')
    const calls = await received(model)
    const toolAnswer = calls[1]!.body.messages.find((m: any) => m.role === 'tool')
    expect(toolAnswer.content).toMatch(/queries/i)
  })

  it('falls back to quoting when the model fails before it answers', async () => {
    const { ws, model } = await workspaceWithModel()
    await script(model, [
      { status: 400, body: { error: { message: 'bad request: context too long' } } },
      { status: 400, body: { error: { message: 'bad request: context too long' } } },
    ])
    const res = await ask({ workspace: ws, messages: question('Who patented the typewriter in 1868?') })
    const completion = await res.json<any>()
    expect(res.status).toBe(200)
    const { message } = completion.choices[0]
    expect(message.reasoning_content).toMatch(/Research stopped: the reasoning model failed/)
    expect(message.reasoning_content).toMatch(/could not answer .*quoting the best passages instead/)
    expect(message.content).toContain('Sholes')
    expect(message.annotations.length).toBeGreaterThan(0)
  })

  it('passes earlier turns, instructions, max_tokens, temperature, seed and stop to the model', async () => {
    const { ws, model } = await workspaceWithModel()
    await script(model, [{ content: 'Enough.' }, { content: 'Sholes [1].' }])
    await ask({
      workspace: ws,
      reasoning_effort: 'low',
      max_completion_tokens: 321,
      temperature: 0.2,
      seed: 7,
      stop: ['END'],
      user: 'someone', // an OpenAI field Cairn does not use
      messages: [
        { role: 'system', content: 'Answer in one sentence.' },
        { role: 'user', content: 'Tell me about typewriters.' },
        { role: 'assistant', content: 'They are machines for writing.' },
        { role: 'user', content: 'Who patented the typewriter in 1868?' },
      ],
    })
    const calls = await received(model)
    const answer = calls.at(-1)!.body
    expect(answer).toMatchObject({ max_tokens: 321, temperature: 0.2, seed: 7, stop: ['END'] })
    expect(answer.messages[0]).toMatchObject({ role: 'system' })
    expect(answer.messages[0].content).toContain('Answer in one sentence.')
    expect(answer.messages.slice(1, 3)).toEqual([
      { role: 'user', content: 'Tell me about typewriters.' },
      { role: 'assistant', content: 'They are machines for writing.' },
    ])
  })

  it('searches through the reranker when one is configured', async () => {
    const { ws } = await workspaceWithModel()
    const reranker = unique('reranker')
    // Only a reranker: the answer is the quoted one, in the reranker's order.
    useRunEnv(ws, { MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, RERANK_MODEL: reranker })
    const completion = await (await ask({ workspace: ws, messages: question('Who patented the typewriter in 1868?') })).json<any>()
    const calls = await received(reranker)
    expect(calls.length).toBeGreaterThan(0)
    expect(calls[0]!.body.query).toBe('Who patented the typewriter in 1868?')
    // Each candidate starts with where it comes from: the file, then the page's title where it has one.
    expect(calls[0]!.body.documents[0]).toMatch(/^multi_page\.pdf( › [^\n]+)?\n\n/)
    expect(completion.choices[0].message.content).toContain('Sholes')
  })

  it('runs concurrently, each run on its own object', async () => {
    const { ws, model } = await workspaceWithModel()
    const n = 4
    // Every call gets the same answer: runs interleave, so the order of research and answer calls is not fixed.
    await script(model, Array.from({ length: 2 * n }, () => ({ content: 'Sholes patented the typewriter in 1868 [1].' })))
    const results = await Promise.all(Array.from({ length: n }, () => ask({ workspace: ws, messages: question('Who patented the typewriter in 1868?') }).then((r) => r.json<any>())))
    expect(new Set(results.map((r) => r.id)).size).toBe(n)
    for (const r of results) expect(r.choices[0].message.content).toBe('Sholes patented the typewriter in 1868 [1].')
  })
})
