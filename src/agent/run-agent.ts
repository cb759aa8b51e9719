/**
 * @module The `l0` loop: search with the question → research (the reasoning model plans, searches
 * in parallel and reads, in rounds bounded by `reasoning_effort`) → answer from the numbered passages
 * → verify each citation as the answer streams. Every step is said in the reasoning trace.
 *
 * It never fails for want of a model: with no reasoning model, or one that fails before it has
 * written a word, the answer quotes the best passages instead; a model that fails mid-answer leaves
 * what it wrote, verified, and the trace says what happened. Only a fault in Cairn itself rejects.
 */
import { extractReasoningMiddleware, stepCountIs, streamText, wrapLanguageModel, type ModelMessage } from 'ai'
import { parseFilter } from '../filter'
import type { PageRendering } from '../ingest/perception/page-pictures'
import type { Models } from '../models/ports'
import { UsageMeter } from '../models/usage'
import { meterMeasures } from '../usage/measures'
import { recordUsage } from '../usage/record'
import { evidenceFields, workspaceReader, type SearchScope, type WorkspaceSearchDeps } from '../search'
import { BUDGETS, RESEARCH_SHARE, RUN_TIME_LIMIT_MS, type Budget } from './budget'
import { drawEvidence } from './citation-boxes'
import { CitationWriter, type RelevantDoc } from './citations'
import { readConversation, type Conversation } from './conversation'
import { EvidenceBook, locate, renderEvidenceList } from './evidence-book'
import { extractiveAnswer } from './extractive'
import { answerPrompt, answerSystem, imagePrompt, researchPrompt, researchSystem } from './prompts'
import type { ChatCompletion, RunInput } from './run-types'
import { researchTools, type ToolContext } from './tools'

/** What a run needs: what search needs, and where page pictures are kept or drawn. */
export type AgentDeps = WorkspaceSearchDeps & { blobs: R2Bucket; pageRendering: PageRendering | null }

/** Where a run's trace and answer go as they are made. */
export type RunSink = { reasoning(text: string): void; content(text: string): void }

export type RunLimits = { timeLimitMs?: number }

/** Research notes passed on to the answer, at most. */
const NOTES_CHARS = 4000

export async function runAgent(deps: AgentDeps, input: RunInput, sink: RunSink, limits: RunLimits = {}): Promise<ChatCompletion> {
  const meter = new UsageMeter()
  try {
    return await run(deps, input, sink, limits, meter)
  } finally {
    // Answered or failed, what its models spent is the asker's, in the run's workspace; recorded
    // before the run reports its end, so the usage is there once the answer is.
    await recordUsage(deps.d1, input, { completions: 1, ...meterMeasures(meter) })
  }
}

async function run(deps: AgentDeps, input: RunInput, sink: RunSink, limits: RunLimits, meter: UsageMeter): Promise<ChatCompletion> {
  const models = deps.models.metered(meter)
  // One reader for the run: the first search and every tool search and read through it, with metered models.
  const reader = workspaceReader({ ...deps, models })
  const tools: ToolContext['deps'] = { reader, blobs: deps.blobs, vision: models.vision, pageRendering: deps.pageRendering }
  const budget = BUDGETS[input.options.effort]
  const book = new EvidenceBook(budget.evidence)
  const writer = new CitationWriter(book)
  const narrate = (line: string) => sink.reasoning(`${line}\n`)
  const timeLimit = limits.timeLimitMs ?? RUN_TIME_LIMIT_MS
  const runSignal = AbortSignal.timeout(timeLimit)
  let finishReason: 'stop' | 'length' = 'stop'

  const scope: SearchScope = {
    orgId: input.orgId,
    workspaceId: input.workspaceId,
    filter: input.question.filter ? parseFilter(input.question.filter, { chunkAttributes: true }) : null,
  }
  const conversation = readConversation(input.messages, input.question.messageIndex)
  const reasoning = models.reasoning ? wrapLanguageModel({ model: models.reasoning.model, middleware: extractReasoningMiddleware({ tagName: 'think' }) }) : null
  if (!reasoning) {
    narrate('No reasoning model is configured (set MODEL_PROVIDER and REASONING_MODEL), so this answer quotes the passages that best match the question instead of reasoning over them.')
  }

  const question = input.question.text + (await describeImages(models, input, narrate, runSignal))
  const { total: fileCount } = await reader.listFiles(scope, 1)
  narrate(`Searching '${brief(input.question.text)}' in ${fileCount} file${fileCount === 1 ? '' : 's'}${input.question.filter ? ` (filter: ${input.question.filter})` : ''}.`)
  const first = await reader.search({ ...scope, query: input.question.text, topK: input.question.topK ?? budget.searchTopK })
  book.add(first)
  narrate(first.length > 0 ? `Found ${first.length} passage${first.length === 1 ? '' : 's'}: ${[...new Set(first.map(locate))].slice(0, 6).join('; ')}.` : 'Found nothing.')

  let answered = false
  if (reasoning && fileCount > 0) {
    const notes = await research(reasoning, { tools, scope, book, budget, narrate, fileCount, conversation, question, input, meter, sink }, researchSignal(runSignal, timeLimit))
    try {
      finishReason = await answer(reasoning, { book, writer, conversation, question, notes, input, budget, sink }, runSignal)
      answered = true
    } catch (err) {
      if (writer.content.length === 0) narrate(`The reasoning model could not answer (${reason(err)}); quoting the best passages instead.`)
      else {
        narrate(`The reasoning model stopped mid-answer (${reason(err)}); the answer ends where it stopped.`)
        answered = true
      }
    }
  }
  if (!answered) {
    const text = extractiveAnswer(input.question.text, book, writer)
    if (text) sink.content(text)
  } else {
    const rest = writer.finish()
    if (rest) sink.content(rest)
  }
  narrateVerification(writer, narrate)
  const docs = await drawEvidence(deps.blobs, writer.annotations, relevantDocs(writer, book))

  return {
    id: input.id,
    object: 'chat.completion',
    created: input.created,
    model: input.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: writer.content, reasoning_content: '', annotations: writer.annotations, refusal: null },
        metadata: { relevant_docs: docs },
        finish_reason: finishReason,
        logprobs: null,
      },
    ],
    usage: meter.usage(),
    perception_usage: meter.perceptionUsage(),
  }
}

type ResearchContext = {
  tools: ToolContext['deps']
  scope: SearchScope
  book: EvidenceBook
  budget: Budget
  narrate: (line: string) => void
  fileCount: number
  conversation: Conversation
  question: string
  input: RunInput
  meter: UsageMeter
  sink: RunSink
}

/**
 * Lets the model plan, search and read until it says the passages suffice, its rounds or tokens are
 * spent, or its share of the run's time is up. Returns its notes for the answer. A failing model
 * ends research, not the run.
 */
async function research(model: Parameters<typeof streamText>[0]['model'], ctx: ResearchContext, signal: AbortSignal): Promise<string> {
  const { budget, meter, book } = ctx
  const tokensSpent = () => meter.role('reasoning').inputTokens + meter.role('reasoning').outputTokens
  let notes = ''
  let lineOpen = false
  const trace = (text: string) => {
    ctx.sink.reasoning(text)
    lineOpen = !text.endsWith('\n')
  }
  const narrate = (line: string) => {
    if (lineOpen) trace('\n')
    ctx.narrate(line)
    lineOpen = false
  }
  try {
    const result = streamText({
      model,
      maxRetries: 0,
      system: researchSystem(ctx.conversation.instructions, ctx.tools.vision !== null),
      messages: [...ctx.conversation.history, { role: 'user', content: researchPrompt(ctx.question, renderEvidenceList(book.all()), ctx.fileCount) }] satisfies ModelMessage[],
      tools: researchTools({ deps: ctx.tools, scope: ctx.scope, book, budget, narrate, fileCount: ctx.fileCount }),
      stopWhen: [stepCountIs(budget.rounds), () => tokensSpent() >= budget.tokens || book.full],
      maxOutputTokens: 1500,
      ...samplingOf(ctx.input),
      abortSignal: signal,
      onError: () => {},
    })
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta') {
        notes += part.text
        trace(part.text)
      } else if (part.type === 'reasoning-delta') trace(part.text)
      else if (part.type === 'tool-error') narrate(`The ${part.toolName} tool failed: ${reason(part.error)}.`)
      else if (part.type === 'finish-step' && lineOpen) trace('\n')
      else if (part.type === 'error') throw part.error
    }
    // An abort ends the stream quietly (an `abort` part, no error).
    if (signal.aborted) throw signal.reason
  } catch (err) {
    if (lineOpen) trace('\n')
    ctx.narrate(signal.aborted ? 'Research ran out of time; answering with the passages found so far.' : `Research stopped: the reasoning model failed (${reason(err)}); answering with the passages found so far.`)
  }
  if (book.full) ctx.narrate(`Gathered ${book.size} passages, the most this effort allows.`)
  return notes.trim().slice(-NOTES_CHARS)
}

type AnswerContext = {
  book: EvidenceBook
  writer: CitationWriter
  conversation: Conversation
  question: string
  notes: string
  input: RunInput
  budget: Budget
  sink: RunSink
}

/** Streams the answer through the citation writer. Rejects if the model fails. */
async function answer(model: Parameters<typeof streamText>[0]['model'], ctx: AnswerContext, signal: AbortSignal): Promise<'stop' | 'length'> {
  const { writer, sink } = ctx
  sink.reasoning(`Writing the answer from ${ctx.book.size} passage${ctx.book.size === 1 ? '' : 's'}.\n`)
  const result = streamText({
    model,
    maxRetries: 0,
    system: answerSystem(ctx.conversation.instructions),
    messages: [...ctx.conversation.history, { role: 'user', content: answerPrompt(ctx.question, renderEvidenceList(ctx.book.all()), ctx.notes) }],
    maxOutputTokens: ctx.input.options.maxTokens ?? ctx.budget.answerTokens,
    ...(ctx.input.options.stop.length > 0 ? { stopSequences: ctx.input.options.stop } : {}),
    ...samplingOf(ctx.input),
    abortSignal: signal,
    onError: () => {},
  })
  let finish: 'stop' | 'length' = 'stop'
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') {
      const ready = writer.push(part.text)
      if (ready) sink.content(ready)
    } else if (part.type === 'reasoning-delta') sink.reasoning(part.text)
    else if (part.type === 'finish') finish = part.finishReason === 'length' ? 'length' : 'stop'
    else if (part.type === 'error') throw part.error
  }
  return finish
}

/** What the pictures attached to the question show, as text the search and the model can use. */
async function describeImages(models: Models, input: RunInput, narrate: (line: string) => void, signal: AbortSignal): Promise<string> {
  if (input.question.images.length === 0 || !models.vision) return ''
  const notes: string[] = []
  for (const [i, url] of input.question.images.entries()) {
    const image = decodeDataUrl(url)
    if (!image) continue
    narrate(`Looking at the attached picture${input.question.images.length > 1 ? ` ${i + 1}` : ''}.`)
    try {
      notes.push(await models.vision.describe({ image: image.bytes, mediaType: image.mediaType, prompt: imagePrompt(input.question.text), signal }))
    } catch (err) {
      narrate(`The vision model could not read the picture (${reason(err)}).`)
    }
  }
  return notes.length > 0 ? `\n\nThe attached picture${notes.length > 1 ? 's show' : ' shows'}:\n${notes.join('\n\n')}` : ''
}

function decodeDataUrl(url: string): { bytes: Uint8Array; mediaType: string } | null {
  const match = /^data:([\w.+-]+\/[\w.+-]+)?(;[^,]*)?,(.*)$/s.exec(url)
  if (!match) return null
  const mediaType = match[1] ?? 'application/octet-stream'
  try {
    const bytes = match[2]?.includes('base64') ? Uint8Array.from(atob(match[3]!), (c) => c.charCodeAt(0)) : new TextEncoder().encode(decodeURIComponent(match[3]!))
    return { bytes, mediaType }
  } catch {
    return null
  }
}

function narrateVerification(writer: CitationWriter, narrate: (line: string) => void): void {
  const kept = writer.annotations.length
  const dropped = writer.dropped
  if (kept + dropped.length === 0) return
  const parts = [`Checked ${kept + dropped.length} citation${kept + dropped.length === 1 ? '' : 's'} against ${kept + dropped.length === 1 ? 'its passage' : 'their passages'}: ${kept} supported`]
  for (const d of dropped.slice(0, 5)) parts.push(`dropped [${d.marker}] after "${oneLine(d.claim).slice(0, 80)}": ${d.reason}`)
  narrate(`${parts.join('; ')}.`)
}

/** The passages the answer cites, in citation order; with no citations, the best passages found. */
function relevantDocs(writer: CitationWriter, book: EvidenceBook): RelevantDoc[] {
  const cited = writer.relevantDocs()
  if (cited.length > 0) return cited
  return book
    .all()
    .slice(0, 5)
    .map(({ hit }) => ({ ...evidenceFields(hit), text: hit.text }))
}

function samplingOf(input: RunInput) {
  const { temperature, topP, seed } = input.options
  return { ...(temperature !== null && { temperature }), ...(topP !== null && { topP }), ...(seed !== null && { seed }) }
}

function researchSignal(run: AbortSignal, timeLimit: number): AbortSignal {
  return AbortSignal.any([run, AbortSignal.timeout(Math.floor(timeLimit * RESEARCH_SHARE))])
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim()

/** A question as the trace names it: one line, at most 200 characters. */
function brief(text: string): string {
  const line = oneLine(text.slice(0, 1000))
  return line.length > 200 ? `${line.slice(0, 199)}…` : line
}

function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return oneLine(message).slice(0, 200) || 'unknown error'
}
