/**
 * @module `POST /chat/completions`: OpenAI's request shape plus `workspace` (chat-schemas.ts).
 * `l0-retrieval` answers at once with the top_k chunks as choices; `l0` starts a run of the agent
 * (chat-run.ts), whose replay route is registered here too.
 */
import { setMetric, wrapTime } from 'hono/timing'
import type { Context } from 'hono'
import { recordAnswer } from '../../audit/answers'
import { evidenceFields, QuestionError, readQuestion, searchWorkspace, type PhaseTimer, type RetrievedChunk } from '../../search'
import { DEFAULT_WORKSPACE } from '../../tenancy/orgs'
import { authorizeWorkspace } from '../../tenancy/workspace-access'
import { meteredWork } from '../../usage/metered'
import { requireUser } from '../auth'
import { ApiError, invalid } from '../errors'
import { sseResponse } from '../sse'
import { completionId } from '../../agent/run-id'
import { answerWithRun, registerRunStreamRoute } from './chat-run'
import { chatRoute, type ChatBody } from './chat-schemas'
import { MODELS } from './models'
import type { App, AppContext } from '../context'
import { resourceApp } from '../resource-app'

/** The search phases as Server-Timing entries (`lexical`, `vector`, `fuse`, `rerank`, `boxes`); `lexical-rows` says how many rows the lexical arm read. */
const serverTiming =
  (c: Context<AppContext>): PhaseTimer =>
  (phase, run) =>
    wrapTime(c, phase, run())

const NO_USAGE = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }

function modelKind(model: string) {
  if (!Object.hasOwn(MODELS, model)) {
    throw new ApiError(404, `The model "${model}" does not exist. Cairn serves ${Object.keys(MODELS).join(', ')} (GET /models).`, 'model_not_found', 'model')
  }
  return MODELS[model as keyof typeof MODELS]
}

/** `stream: true` gets the same elements as a single chunk, so streaming clients need no special case. */
function streamed(c: Context<AppContext>, body: ChatBody, id: string, created: number, elements: RetrievedChunk[]): Response {
  const events: object[] = [
    {
      id,
      object: 'chat.completion.chunk',
      created,
      model: body.model,
      choices: elements.map((e, index) => ({ index, delta: { role: 'assistant', content: e.text }, metadata: evidenceFields(e), finish_reason: 'stop' })),
    },
  ]
  if (body.stream_options?.include_usage) events.push({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage: NO_USAGE })
  return sseResponse(c, events)
}

/** Work that may finish after the response; without an execution context (a test calling the app directly) it simply runs. */
function afterResponse(c: Context<AppContext>, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work)
  } catch {
    // No execution context: the promise runs on regardless.
  }
}

export function chatRoutes(): App {
  const app = resourceApp()
  registerRunStreamRoute(app)
  app.openapi(chatRoute, async (c) => {
    const user = requireUser(c)
    const body = c.req.valid('json')
    const kind = modelKind(body.model)
    const workspaceId = body.workspace ?? DEFAULT_WORKSPACE
    const deps = c.get('deps')
    await authorizeWorkspace(deps.db, user, workspaceId, 'reader')

    let question
    try {
      question = readQuestion(body.messages)
    } catch (err) {
      if (err instanceof QuestionError) throw invalid(err.message, err.param, err.code)
      throw err
    }
    if (kind === 'l0') return answerWithRun(c, user, workspaceId, body, question)

    const request = { orgId: user.orgId, workspaceId, query: question.text, filter: question.filter, topK: question.topK }
    // The question's embedding (and any rerank) counts as the asker's usage in the workspace, written after the answer is sent.
    const owner = { orgId: user.orgId, userId: user.userId, workspaceId }
    const elements = await meteredWork(deps, owner, (metered) => searchWorkspace(metered, request, { time: serverTiming(c), layouts: deps.blobs, onRowsRead: (rows) => setMetric(c, 'lexical-rows', String(rows)) }), (recording) => afterResponse(c, recording))

    const id = completionId()
    const created = Math.floor(Date.now() / 1000)
    // Recorded after the answer is sent, so the audit log costs a retrieval no time; the Worker keeps running until it is written.
    afterResponse(
      c,
      recordAnswer(deps, {
        orgId: user.orgId,
        workspaceId,
        userId: user.userId,
        email: user.email,
        completionId: id,
        model: body.model,
        question: question.text,
        answer: elements.map((e) => e.text).join('\n\n'),
        cited: elements.map(evidenceFields),
        outcome: 'answered',
      }).catch((err: unknown) => console.error('could not record the answer in the audit log', id, err)),
    )
    if (body.stream) return streamed(c, body, id, created, elements)
    return c.json(
      {
        id,
        object: 'chat.completion' as const,
        created,
        model: body.model,
        choices: elements.map((e, index) => ({
          index,
          message: { role: 'assistant' as const, content: e.text },
          metadata: evidenceFields(e),
          finish_reason: 'stop' as const,
        })),
        usage: NO_USAGE,
      },
      200,
    )
  })
  return app
}
