/**
 * The agent's loop called directly (no Durable Object), against the scripted model server, with
 * models the API's env would not give a test: a reasoning model whose calls time out quickly (a model
 * that hangs must not hang the run; the answer still comes, from the passages, with citations), and
 * a vision model for a picture in the question.
 */
import { env } from 'cloudflare:test'
import { beforeAll, describe, expect, it } from 'vitest'
import { runAgent } from '../../src/agent/run-agent'
import { pageRenderKey } from '../../src/ingest/perception/render-keys'
import type { RunInput } from '../../src/agent/run-types'
import type { AppEnv } from '../../src/config'
import { buildDeps } from '../../src/deps'
import { resolvePolicies } from '../../src/models'
import { openAiCompatibleModels } from '../../src/models/openai-compatible'
import { callJson, createOrgWithWorkspace, unique, uploadForm, waitForIngestAll } from './api-client'
import { received, script, server } from './model-server-client'
import { fixtureBytes } from './fixtures'
import { ingestWith, modelDeps, type World } from './perception-support'

let w: Awaited<ReturnType<typeof createOrgWithWorkspace>>
let fileId: string
const PNG_1X1 = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='), (c) => c.charCodeAt(0))


function input(question: string, effort: RunInput['options']['effort'] = 'medium'): RunInput {
  return {
    id: `chatcmpl-${crypto.randomUUID().replace(/-/g, '')}`,
    created: Math.floor(Date.now() / 1000),
    model: 'l0',
    orgId: w.writer.orgId,
    workspaceId: w.ws,
    userId: w.writer.id,
    messages: [{ role: 'user', content: question }],
    question: { messageIndex: 0, text: question, filter: null, topK: null, images: [] },
    options: { effort, maxTokens: null, temperature: null, topP: null, seed: null, stop: [], store: false, metadata: {}, includeUsage: false },
  }
}

/** Deps whose reasoning model is `model` on the scripted server, with one attempt of `timeoutMs`. */
function depsWith(model: string, timeoutMs: number, extra: Record<string, string> = {}) {
  const appEnv = { ...env, MODEL_PROVIDER: 'openai', OPENAI_BASE_URL: `${server}/v1`, REASONING_MODEL: model, ...extra } as unknown as AppEnv
  const deps = buildDeps(appEnv)
  const models = openAiCompatibleModels(deps.config, { policies: resolvePolicies({ reasoning: { attempts: 1, timeoutMs } }) })
  return { ...deps, models }
}

function collect() {
  const out = { reasoning: '', content: '' }
  return { out, sink: { reasoning: (t: string) => void (out.reasoning += t), content: (t: string) => void (out.content += t) } }
}

beforeAll(async () => {
  w = await createOrgWithWorkspace()
  const bytes = await fixtureBytes('samples/pdf/multi_page.pdf')
  const file = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['multi_page.pdf', bytes!]], { workspace: w.ws }) })
  await waitForIngestAll(w.writer.token, w.ws, [file.id])
  fileId = file.id
}, 60_000)

describe('pictures in the question', { timeout: 30_000 }, () => {
  it('the vision model reads the picture, and the research and answer see what it shows', async () => {
    const model = unique('reasoner')
    const vision = unique('eyes')
    await script(vision, [{ content: 'A brass plate reading "Sholes and Glidden Type Writer", with a usage count of 24 tokens.', usage: { prompt: 20, completion: 4 } }])
    await script(model, [{ content: 'Enough.' }, { content: 'Sholes patented the typewriter in 1868 [1].' }])
    const run = input('Who patented the machine in this picture?')
    run.question.images = [`data:image/png;base64,${btoa(String.fromCharCode(...PNG_1X1))}`]
    const { out, sink } = collect()
    const completion = await runAgent(depsWith(model, 10_000, { VISION_MODEL: vision }), run, sink)
    expect(out.reasoning).toMatch(/Looking at the attached picture\./)
    const seen = await received(vision)
    const parts = seen[0]!.body.messages[0].content
    expect(parts.map((p: any) => p.type)).toEqual(['text', 'image_url'])
    expect(parts[1].image_url.url).toMatch(/^data:image\/png;base64,iVBOR/)
    const calls = await received(model)
    expect(JSON.stringify(calls[0]!.body.messages)).toContain('Sholes and Glidden Type Writer')
    expect(completion.perception_usage).toEqual({ prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 })
    expect(completion.usage.total_tokens).toBe(36)
  })
})

describe('looking at a page', { timeout: 30_000 }, () => {
  it('look_at_page shows the page picture to the vision model, and its answer is cited to that page', async () => {
    const model = unique('reasoner')
    const vision = unique('eyes')
    await env.FILES.put(pageRenderKey(fileId, 2), PNG_1X1)
    await script(vision, [{ content: 'The diagram is annotated: overall height 98.1 m.' }])
    await script(model, [
      { toolCalls: [{ name: 'look_at_page', arguments: { file_id: fileId, page: 2, question: 'What overall height is annotated?' } }] },
      { content: 'Enough.' },
      { content: 'The annotated overall height is 98.1 m [2].' },
    ])
    // One passage from the first search, so the look's answer is passage [2].
    const run = input('Who patented the typewriter in 1868?')
    run.question.topK = 1
    const { out, sink } = collect()
    const completion = await runAgent(depsWith(model, 10_000, { VISION_MODEL: vision }), run, sink)
    expect(out.reasoning).toMatch(/Looking at page 2 of multi_page\.pdf: What overall height is annotated\?/)
    const [citation] = completion.choices[0]!.message.annotations
    expect(completion.choices[0]!.message.content).toBe('The annotated overall height is 98.1 m [1].')
    expect(citation!.file_citation).toMatchObject({ file_id: fileId, page: 2, modality: 'image', quote: 'The diagram is annotated: overall height 98.1 m.' })
    const looked = await received(vision)
    expect(looked[0]!.body.messages[0].content[1].image_url.url).toMatch(/^data:image\/png;base64,/)
    const calls = await received(model)
    expect(calls[0]!.body.tools.map((t: any) => t.function.name)).toContain('look_at_page')
  })

  it('a page no one has drawn is drawn on demand by the ingest Worker, kept, and shown to the vision model', async () => {
    const model = unique('reasoner')
    const vision = unique('eyes')
    await env.FILES.delete(pageRenderKey(fileId, 3))
    await script(vision, [{ content: 'Page 3 shows a paragraph of text.' }])
    await script(model, [
      { toolCalls: [{ name: 'look_at_page', arguments: { file_id: fileId, page: 3, question: 'What is shown?' } }] },
      { content: 'Enough.' },
      { content: 'Nothing to add.' },
    ])
    const { out, sink } = collect()
    await runAgent(depsWith(model, 10_000, { VISION_MODEL: vision }), input('What does page 3 show?'), sink)
    expect(out.reasoning).toMatch(/Looking at page 3 of multi_page\.pdf: What is shown\?/)
    const kept = await env.FILES.get(pageRenderKey(fileId, 3))
    expect(kept, 'the drawn page is kept in R2').not.toBeNull()
    const png = new Uint8Array(await kept!.arrayBuffer())
    const looked = await received(vision)
    const sent = looked[0]!.body.messages[0].content[1].image_url.url as string
    expect(Uint8Array.from(atob(sent.replace(/^data:image\/png;base64,/, '')), (c) => c.charCodeAt(0))).toEqual(png)
  })

  it('look_at_page looks at an uploaded image too: the prepared image goes to the vision model, the answer is cited to the image', async () => {
    const reader = unique('eyes-ingest')
    await script(reader, [{ content: 'A line of text on a white background.' }])
    const photo = await ingestWith(modelDeps({ VISION_MODEL: reader }), w as World, 'sideways.jpg', await fixtureBytes('samples/image/simple-90.jpg'))
    expect(photo.status, photo.status_details).toBe('processed')
    const model = unique('reasoner')
    const vision = unique('eyes')
    await script(vision, [{ content: 'The text reads "Tesseract.js".' }])
    await script(model, [
      { toolCalls: [{ name: 'look_at_page', arguments: { file_id: photo.id, question: 'What exactly does the text say?' } }] },
      { content: 'Enough.' },
      { content: 'The photo reads "Tesseract.js" [2].' },
    ])
    const run = input('What does the photo say?')
    run.question.topK = 1
    const { out, sink } = collect()
    const completion = await runAgent(depsWith(model, 10_000, { VISION_MODEL: vision }), run, sink)
    expect(out.reasoning).toMatch(/Looking at sideways\.jpg: What exactly does the text say\?/)
    const looked = await received(vision)
    expect(looked[0]!.body.messages[0].content[1].image_url.url).toMatch(/^data:image\/jpeg;base64,/)
    const cited = completion.choices[0]!.message.annotations.map((a: any) => a.file_citation)
    expect(cited).toContainEqual(expect.objectContaining({ file_id: photo.id, page: null, modality: 'image', quote: 'The text reads "Tesseract.js".' }))
    await callJson('DELETE', `/files/${photo.id}`, { token: w.writer.token })
  })

  it('says why when a page cannot be looked at: no such page, or not a PDF', async () => {
    const slides = await callJson('POST', '/files', { token: w.writer.token, form: uploadForm([['deck.pptx', await fixtureBytes('samples/pptx/powerpoint_sample.pptx')]], { workspace: w.ws }) })
    await waitForIngestAll(w.writer.token, w.ws, [slides.id])
    // Another org's PDF: not even said to exist.
    const other = await createOrgWithWorkspace()
    const foreign = await callJson('POST', '/files', { token: other.writer.token, form: uploadForm([['theirs.pdf', await fixtureBytes('samples/pdf/multi_page.pdf')]], { workspace: other.ws }) })
    await waitForIngestAll(other.writer.token, other.ws, [foreign.id])
    const model = unique('reasoner')
    await script(model, [
      {
        toolCalls: [
          { name: 'look_at_page', arguments: { file_id: fileId, page: 40, question: 'What is shown?' } },
          { name: 'look_at_page', arguments: { file_id: slides.id, page: 1, question: 'What is shown?' } },
          { name: 'look_at_page', arguments: { file_id: foreign.id, page: 1, question: 'What is shown?' } },
        ],
      },
      { content: 'Enough.' },
      { content: 'Nothing to add.' },
    ])
    const { sink } = collect()
    await runAgent(depsWith(model, 10_000, { VISION_MODEL: unique('eyes') }), input('What does page 40 show?'), sink)
    const calls = await received(model)
    const answers = calls[1]!.body.messages.filter((m: any) => m.role === 'tool').map((m: any) => JSON.stringify(m.content))
    expect(answers[0]).toMatch(/There is no page 40 in that file/)
    expect(answers[1]).toMatch(/Only PDF pages and images can be looked at, and deck\.pptx is neither; read it with read_page instead\./)
    expect(answers[2]).toMatch(/^"There is no page 1 in that file among the files you may search\."$/)
    // The other tests count the workspace's files.
    await callJson('DELETE', `/files/${slides.id}`, { token: w.writer.token })
  })
})

describe('tool filters', { timeout: 30_000 }, () => {
  it('a search narrowed by the tool call\'s own filter stays inside it; a filter that does not parse is told to the model', async () => {
    const model = unique('filters')
    await script(model, [
      { toolCalls: [{ name: 'search', arguments: { queries: ['LaTeX academics'], filter: 'page == 3' } }, { name: 'list_files', arguments: { filter: 'metadata.year >>' } }] },
      { content: 'Enough.' },
      { content: 'Done.' },
    ])
    const { out, sink } = collect()
    await runAgent(depsWith(model, 10_000), input('Who patented the typewriter?', 'low'), sink)
    expect(out.reasoning).toMatch(/Searching 'LaTeX academics' in 1 file \(filter: page == 3\)\.\nFound \d+ new passages?: multi_page\.pdf, page 3\./)
    const calls = await received(model)
    const answers = calls[1]!.body.messages.filter((m: any) => m.role === 'tool').map((m: any) => JSON.stringify(m.content))
    expect(answers.some((a: string) => /The filter is not valid/.test(a))).toBe(true)
  })
})

describe('limits', { timeout: 30_000 }, () => {
  it('a model that hangs times out, and the run answers from the passages', async () => {
    const model = unique('hangs')
    await script(model, [{ delayMs: 5_000, content: 'too late' }, { delayMs: 5_000, content: 'too late' }])
    const { out, sink } = collect()
    const started = Date.now()
    const completion = await runAgent(depsWith(model, 300), input('Who patented the typewriter in 1868?'), sink)
    expect(Date.now() - started).toBeLessThan(4_000)
    expect(out.reasoning).toMatch(/Research stopped: the reasoning model failed/)
    expect(out.reasoning).toMatch(/could not answer/)
    expect(completion.choices[0]!.message.content).toBe(out.content)
    expect(out.content).toContain('Sholes')
    expect(completion.choices[0]!.message.annotations.length).toBeGreaterThan(0)
  })

  it('a run that reaches its time limit stops researching and still answers', async () => {
    const model = unique('slow')
    await script(model, [
      { delayMs: 1_500, toolCalls: [{ name: 'search', arguments: { queries: ['typewriter'] } }] },
      { content: 'Sholes patented the typewriter in 1868 [1].' },
    ])
    const { out, sink } = collect()
    const completion = await runAgent(depsWith(model, 10_000), input('Who patented the typewriter in 1868?'), sink, { timeLimitMs: 2_000 })
    expect(out.reasoning, out.reasoning).toMatch(/Research ran out of time/)
    expect(completion.choices[0]!.message.content).toBe('Sholes patented the typewriter in 1868 [1].')
  })

  it('low effort allows fewer research rounds than high', async () => {
    const model = unique('rounds')
    const search = { toolCalls: [{ name: 'search', arguments: { queries: ['typewriter'] } }] }
    await script(model, [...Array.from({ length: 2 }, () => search), { content: 'Sholes [1].' }])
    const low = collect()
    await runAgent(depsWith(model, 10_000), input('Who patented the typewriter?', 'low'), low.sink)
    expect(low.out.reasoning.match(/Searching 'typewriter'/g)).toHaveLength(2)
    expect(low.out.content).toBe('Sholes [1].')
  })
})
