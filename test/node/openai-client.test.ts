/**
 * The `openai` npm client against Cairn as `npm start` serves it (no models configured): models, file
 * upload and polling, `l0` streamed and whole with its trace, citations and evidence, `l0-retrieval`,
 * stored completions, replaying a run, and errors as the SDK's typed errors. Cairn's own fields
 * (`workspace`, `filter` parts) ride in the request body as the SDK sends extra fields: as they are.
 */
import { createReadStream } from 'node:fs'
import path from 'node:path'
import OpenAI, { toFile } from 'openai'
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions'
import type { Stream } from 'openai/streaming'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { codePointSlice, startCairn, waitUntilProcessed, waitUntilReady, type RunningCairn } from './start-cairn'

const fixture = path.resolve(import.meta.dirname, '../../../shared/fixtures/samples/pdf/multi_page.pdf')
const QUESTION = 'Who patented the typewriter, and in which year?'

/** What Cairn adds to OpenAI's shapes, read from the SDK's objects (which keep unknown fields). */
type FileCitation = { file_id: string; filename: string; page: number | null; quote: string; chunk_id: string; score: number }
type Annotation = { type: string; text: string; start_index: number; end_index: number; file_citation: FileCitation }
type RelevantDoc = { file_id: string; filename: string; page: number | null; text: string; score: number; chunk_id: string }
type CairnChoiceExtras = { metadata: { relevant_docs: RelevantDoc[] } }
type CairnDelta = { reasoning_content?: string; annotations?: Annotation[] }
type CairnMessage = { reasoning_content: string; annotations: Annotation[] }
type Usage = { prompt_tokens: number; completion_tokens: number; total_tokens: number }

/** A user message with Cairn's `filter` part, which OpenAI's types do not know. */
type Part = { type: 'text'; text: string } | { type: 'filter'; filter?: string; top_k?: number }
const ask = (...parts: Part[]) => [{ role: 'user', content: parts }] as unknown as ChatCompletionMessageParam[]

let cairn: RunningCairn
let client: OpenAI
let pdfId = ''

beforeAll(async () => {
  cairn = await startCairn()
  // As the L0 docs configure it: the API's root, no `/v1`.
  client = new OpenAI({ baseURL: `${cairn.base}/`, apiKey: cairn.token, maxRetries: 3 })
})

afterAll(async () => {
  await cairn?.stop()
})

/** Reads a stream to its end, as a user's loop does. */
async function collect(stream: Stream<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = []
  for await (const chunk of stream) chunks.push(chunk)
  const choices = chunks.flatMap((c) => c.choices)
  const deltas = choices.map((c) => c.delta as ChatCompletionChunk.Choice.Delta & CairnDelta)
  const last = choices.find((c) => c.finish_reason !== null) as (ChatCompletionChunk.Choice & CairnChoiceExtras) | undefined
  return {
    chunks,
    reasoning: deltas.map((d) => d.reasoning_content ?? '').join(''),
    content: deltas.map((d) => d.content ?? '').join(''),
    firstReasoning: deltas.findIndex((d) => !!d.reasoning_content),
    firstContent: deltas.findIndex((d) => !!d.content),
    last,
    annotations: ((last?.delta as CairnDelta | undefined)?.annotations ?? []) as Annotation[],
  }
}

function expectAnnotationsSliceTheContent(content: string, annotations: Annotation[]) {
  expect(annotations.length).toBeGreaterThan(0)
  for (const a of annotations) {
    expect(a.type).toBe('file_citation')
    expect(a.text).toMatch(/^\[\d+\]$/)
    expect(codePointSlice(content, a.start_index, a.end_index)).toBe(a.text)
  }
}

/** Every passage the answer cites is among the evidence listed. */
function expectCitedDocsListed(annotations: Annotation[], docs: RelevantDoc[]) {
  const listed = new Set(docs.map((d) => d.chunk_id))
  for (const a of annotations) expect(listed.has(a.file_citation.chunk_id), `${a.text} cites ${a.file_citation.chunk_id}`).toBe(true)
}

describe('the openai npm client against npm start', () => {
  it('lists l0, l0-retrieval and their aliases with models.list, at the root and under /v1', async () => {
    const ids: string[] = []
    for await (const model of client.models.list()) {
      expect(model.object).toBe('model')
      ids.push(model.id)
    }
    expect(ids).toEqual(expect.arrayContaining(['l0', 'activeloop-l0', 'l0-retrieval', 'activeloop-l0-retrieval']))

    const underV1 = new OpenAI({ baseURL: `${cairn.base}/v1`, apiKey: cairn.token })
    expect((await underV1.models.retrieve('activeloop-l0')).id).toBe('activeloop-l0')
  })

  it('uploads a PDF with files.create (metadata as an extra form field) and sees it processed with files.retrieve', async () => {
    await waitUntilReady(cairn.base)
    const uploaded = await client.files.create({
      file: createReadStream(fixture),
      purpose: 'user_data',
      // @ts-expect-error Cairn's (and L0's) `metadata` form field: a JSON object as a string.
      metadata: JSON.stringify({ author: 'sholes', topic: 'typewriters' }),
    })
    expect(uploaded).toMatchObject({ object: 'file', filename: 'multi_page.pdf', purpose: 'user_data', status: 'uploaded' })
    expect(uploaded.id).toMatch(/^file-/)
    expect((uploaded as unknown as { metadata: unknown }).metadata).toEqual({ author: 'sholes', topic: 'typewriters' })
    pdfId = uploaded.id

    let file = await client.files.retrieve(pdfId)
    for (const deadline = Date.now() + 90_000; file.status !== 'processed' && Date.now() < deadline; ) {
      expect(file.status).not.toBe('error')
      await new Promise((r) => setTimeout(r, 250))
      file = await client.files.retrieve(pdfId)
    }
    expect(file.status).toBe('processed')
    expect(file.bytes).toBe(uploaded.bytes)

    const listed: string[] = []
    for await (const f of client.files.list()) listed.push(f.id)
    expect(listed).toContain(pdfId)
  })

  it('streams l0: an opening chunk, the trace, the answer, then annotations, relevant_docs and usage', async () => {
    expect(pdfId).not.toBe('')
    await waitUntilReady(cairn.base)
    const stream = await client.chat.completions.create({
      model: 'l0',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: QUESTION }],
    })
    const run = await collect(stream)

    expect(new Set(run.chunks.map((c) => c.id)).size).toBe(1)
    expect(run.chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true)
    expect(run.chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '', reasoning_content: null })

    expect(run.reasoning).toContain('No reasoning model is configured')
    expect(run.reasoning).toMatch(/Searching '.+' in 1 file\./)
    expect(run.firstReasoning).toBeGreaterThanOrEqual(0)
    expect(run.firstReasoning).toBeLessThan(run.firstContent)

    expect(run.content).toContain('Christopher Latham Sholes')
    expect(run.content).toContain('1868')

    expect(run.last?.finish_reason).toBe('stop')
    expectAnnotationsSliceTheContent(run.content, run.annotations)
    const sholes = run.annotations.find((a) => a.file_citation.quote.includes('1868'))
    expect(sholes?.file_citation).toMatchObject({ file_id: pdfId, filename: 'multi_page.pdf', page: 1 })

    const docs = run.last!.metadata.relevant_docs
    expect(docs.find((d) => d.text.includes('Sholes'))).toMatchObject({ file_id: pdfId, filename: 'multi_page.pdf', page: 1 })
    expectCitedDocsListed(run.annotations, docs)

    const usageChunk = run.chunks.at(-1)! as ChatCompletionChunk & { perception_usage?: Usage }
    expect(usageChunk.choices).toEqual([])
    expect(usageChunk.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) })
    expect(usageChunk.perception_usage).toMatchObject({ total_tokens: expect.any(Number) })
  })

  it('works with the SDK stream helper: finalChatCompletion() gathers the answer, annotations and evidence', async () => {
    await waitUntilReady(cairn.base)
    const runner = client.chat.completions.stream({ model: 'l0', messages: [{ role: 'user', content: QUESTION }] })
    let streamed = ''
    let trace = ''
    runner.on('content', (delta) => (streamed += delta))
    runner.on('chunk', (chunk) => (trace += (chunk.choices[0]?.delta as CairnDelta | undefined)?.reasoning_content ?? ''))
    const final = await runner.finalChatCompletion()
    const choice = final.choices[0]! as typeof final.choices[0] & CairnChoiceExtras
    const message = choice.message as unknown as { content: string } & CairnMessage
    expect(message.content).toBe(streamed)
    expect(message.content).toContain('1868')
    // The helper copies delta fields it does not know over the message, so its reasoning_content is
    // the last chunk's (null, from the closing chunk); the whole trace is read from the chunks.
    expect(trace).toContain('No reasoning model is configured')
    expect(message.reasoning_content).toBeNull()
    expectAnnotationsSliceTheContent(message.content, message.annotations)
    expectCitedDocsListed(message.annotations, choice.metadata.relevant_docs)
  })

  it('answers l0 whole (activeloop-l0): content, reasoning_content, annotations and relevant_docs', async () => {
    await waitUntilReady(cairn.base)
    const completion = await client.chat.completions.create({ model: 'activeloop-l0', messages: [{ role: 'user', content: QUESTION }] })
    expect(completion).toMatchObject({ object: 'chat.completion', model: 'activeloop-l0' })
    expect(completion.id).toMatch(/^chatcmpl-/)
    const choice = completion.choices[0]! as typeof completion.choices[0] & CairnChoiceExtras
    const message = choice.message as unknown as { role: string; content: string } & CairnMessage
    expect(choice.finish_reason).toBe('stop')
    expect(message.role).toBe('assistant')
    expect(message.content).toContain('1868')
    expect(message.reasoning_content).toContain('No reasoning model is configured')
    expectAnnotationsSliceTheContent(message.content!, message.annotations)
    expect(message.annotations.some((a) => a.file_citation.file_id === pdfId && a.file_citation.page === 1)).toBe(true)
    expect(choice.metadata.relevant_docs.find((d) => d.text.includes('Sholes'))).toMatchObject({ file_id: pdfId, page: 1 })
    expectCitedDocsListed(message.annotations, choice.metadata.relevant_docs)
    expect(completion.usage).toMatchObject({ total_tokens: expect.any(Number) })
    expect((completion as unknown as { perception_usage: Usage }).perception_usage).toMatchObject({ total_tokens: expect.any(Number) })
  })

  it('searches with l0-retrieval: top_k from a filter part, each choice a chunk with its metadata', async () => {
    await waitUntilReady(cairn.base)
    const completion = await client.chat.completions.create({ model: 'l0-retrieval', messages: ask({ type: 'filter', top_k: 2 }, { type: 'text', text: 'typewriter patent Sholes' }) })
    expect(completion.choices.length).toBeGreaterThan(0)
    expect(completion.choices.length).toBeLessThanOrEqual(2)
    completion.choices.forEach((c, i) => {
      expect(c.index).toBe(i)
      expect(c.finish_reason).toBe('stop')
      expect(typeof c.message.content).toBe('string')
    })
    const best = completion.choices[0]! as typeof completion.choices[0] & { metadata: Record<string, unknown> }
    expect(best.message.content).toContain('Sholes')
    expect(best.metadata).toMatchObject({ file_id: pdfId, filename: 'multi_page.pdf', chunk_id: expect.any(String), score: expect.any(Number), modality: 'text', page: 1 })
    expect(best.metadata.file_metadata).toEqual({ author: 'sholes', topic: 'typewriters' })

    const scores = completion.choices.map((c) => (c as unknown as { metadata: { score: number } }).metadata.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
  })

  it('records every answer in the audit log when many arrive at once, and the chain holds', async () => {
    await waitUntilReady(cairn.base)
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => client.chat.completions.create({ model: 'l0-retrieval', messages: ask({ type: 'text', text: `typewriter patent ${i}` }) })),
    )
    const audit = async (query: string) => (await (await fetch(`${cairn.base}/v1/audit${query}`, { headers: { authorization: `Bearer ${cairn.token}` } })).json()) as any
    // Each answer's record is written after its response: give them a moment.
    for (let i = 0; i < 100; i++) {
      const recorded = new Set((await audit('?action=answer&limit=1000')).data.map((e: { target: string }) => e.target))
      if (answers.every((a) => recorded.has(a.id))) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const recorded = new Set((await audit('?action=answer&limit=1000')).data.map((e: { target: string }) => e.target))
    expect(answers.filter((a) => !recorded.has(a.id))).toEqual([])
    expect(await audit('/verify')).toMatchObject({ ok: true, broken: null })
  })

  it('narrows l0 with a filter part: a filter no file matches finds nothing, the matching one finds the PDF', async () => {
    await waitUntilReady(cairn.base)
    const none = await client.chat.completions.create({ model: 'l0', messages: ask({ type: 'filter', filter: "metadata.author == 'hegel'" }, { type: 'text', text: QUESTION }) })
    expect((none.choices[0] as unknown as CairnChoiceExtras).metadata.relevant_docs).toEqual([])
    expect(none.choices[0]!.message.content).not.toContain('1868')

    const some = await client.chat.completions.create({ model: 'l0', messages: ask({ type: 'filter', filter: "metadata.author == 'sholes'" }, { type: 'text', text: QUESTION }) })
    expect((some.choices[0] as unknown as CairnChoiceExtras).metadata.relevant_docs[0]).toMatchObject({ file_id: pdfId })
    expect(some.choices[0]!.message.content).toContain('1868')
  })

  it('keeps uploads and questions in the workspace the body names', async () => {
    await waitUntilReady(cairn.base)
    await client.post('/workspaces', { body: { id: 'history', name: 'History' } })
    const note = await toFile(Buffer.from('The Remington No. 2 of 1878 was the first typewriter with a shift key for capital letters.\n'), 'remington.txt')
    // @ts-expect-error Cairn's `workspace` form field.
    const uploaded = await client.files.create({ file: note, purpose: 'user_data', workspace: 'history' })
    expect((uploaded as unknown as { workspace_id: string }).workspace_id).toBe('history')
    await waitUntilProcessed(cairn.base, cairn.token, uploaded.id)

    const params = { model: 'l0', messages: [{ role: 'user', content: 'Which typewriter first had a shift key?' }], workspace: 'history' } as ChatCompletionCreateParamsNonStreaming
    const inHistory = await client.chat.completions.create(params)
    const docs = (inHistory.choices[0] as unknown as CairnChoiceExtras).metadata.relevant_docs
    expect(docs.map((d) => d.file_id)).toEqual([uploaded.id])
    expect(inHistory.choices[0]!.message.content).toContain('first typewriter with a shift key')

    const inDefault = await client.chat.completions.create({ model: 'l0', messages: [{ role: 'user', content: 'Which typewriter first had a shift key?' }] })
    expect((inDefault.choices[0] as unknown as CairnChoiceExtras).metadata.relevant_docs.map((d) => d.file_id)).not.toContain(uploaded.id)
  })

  it('replays a run whose client left, with client.get(…/stream) as an SDK stream', async () => {
    await waitUntilReady(cairn.base)
    const stream = await client.chat.completions.create({ model: 'l0', stream: true, messages: [{ role: 'user', content: QUESTION }] })
    let id = ''
    for await (const chunk of stream) {
      id = chunk.id
      break
    }
    expect(id).toMatch(/^chatcmpl-/)
    const replay = await client.get<Stream<ChatCompletionChunk>>(`/chat/completions/${id}/stream`, { stream: true })
    const run = await collect(replay)
    expect(run.chunks.every((c) => c.id === id)).toBe(true)
    expect(run.content).toContain('1868')
    expect(run.last?.finish_reason).toBe('stop')
    expectAnnotationsSliceTheContent(run.content, run.annotations)
  })

  it('stores a completion (store: true) and serves it with retrieve, update, list, messages.list and delete', async () => {
    await waitUntilReady(cairn.base)
    const messages = [
      { role: 'system', content: 'Answer in one sentence.' },
      { role: 'user', content: [{ type: 'text', text: QUESTION }, { type: 'filter', filter: "metadata.topic == 'typewriters'" }] },
    ] as unknown as ChatCompletionMessageParam[]
    const made = await client.chat.completions.create({ model: 'l0', store: true, metadata: { topic: 'typewriters' }, messages })
    const answer = made.choices[0]!.message.content

    const got = await client.chat.completions.retrieve(made.id)
    expect(got as unknown).toMatchObject({ id: made.id, object: 'chat.completion', model: 'l0', metadata: { topic: 'typewriters' } })
    expect(got.choices[0]!.message.content).toBe(answer)
    expect((got.choices[0]!.message as unknown as CairnMessage).annotations).toEqual((made.choices[0]!.message as unknown as CairnMessage).annotations)

    const updated = await client.chat.completions.update(made.id, { metadata: { topic: 'history', reviewed: 'yes' } })
    expect((updated as unknown as { metadata: unknown }).metadata).toEqual({ topic: 'history', reviewed: 'yes' })

    // A second stored one, streamed, so listing has two to page through.
    const second = await collect(await client.chat.completions.create({ model: 'l0', stream: true, store: true, metadata: { topic: 'history' }, messages: [{ role: 'user', content: 'shift key' }] }))
    const secondId = second.chunks[0]!.id
    expect((await client.chat.completions.retrieve(secondId)).choices[0]!.message.content).toBe(second.content)

    const everyId: string[] = []
    for await (const c of client.chat.completions.list({ limit: 1 })) everyId.push(c.id)
    expect(everyId).toEqual([made.id, secondId])
    const reviewed: string[] = []
    for await (const c of client.chat.completions.list({ metadata: { reviewed: 'yes' } })) reviewed.push(c.id)
    expect(reviewed).toEqual([made.id])

    const stored = []
    for await (const m of client.chat.completions.messages.list(made.id)) stored.push(m)
    expect(stored.map((m) => m.role)).toEqual(['system', 'user'])
    expect(stored[0]!.content).toBe('Answer in one sentence.')
    expect(stored[1]!.content).toBe(QUESTION)
    expect(stored[1]!.content_parts).toEqual((messages[1] as { content: unknown }).content)
    expect(new Set(stored.map((m) => m.id)).size).toBe(2)

    expect(await client.chat.completions.delete(made.id)).toEqual({ id: made.id, object: 'chat.completion.deleted', deleted: true })
    await expect(client.chat.completions.retrieve(made.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
    const unstored = await client.chat.completions.create({ model: 'l0', messages: [{ role: 'user', content: 'shift key' }] })
    await expect(client.chat.completions.retrieve(unstored.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError)
  })

  it('turns Cairn errors into the SDK typed errors with their param and code', async () => {
    await waitUntilReady(cairn.base)
    const unknownModel = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e)
    expect(unknownModel).toBeInstanceOf(OpenAI.NotFoundError)
    expect(unknownModel).toMatchObject({ status: 404, param: 'model', code: 'model_not_found' })

    const badFilter = await client.chat.completions.create({ model: 'l0', messages: ask({ type: 'filter', filter: 'metadata.author ==' }, { type: 'text', text: 'x' }) }).catch((e: unknown) => e)
    expect(badFilter).toBeInstanceOf(OpenAI.UnprocessableEntityError)
    expect(badFilter).toMatchObject({ status: 422, param: 'messages[0].content[0].filter', code: 'invalid_filter' })
    expect((badFilter as Error).message).toMatch(/column \d+/)

    const stranger = new OpenAI({ baseURL: `${cairn.base}/`, apiKey: 'cairn_not_a_token', maxRetries: 0 })
    await expect(stranger.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError)
  })
})
