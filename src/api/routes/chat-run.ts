/**
 * @module `l0` on `POST /chat/completions` and `GET /chat/completions/{id}/stream`: the request
 * becomes a run in its own Durable Object; the answer is that run's log, streamed as SSE or awaited
 * whole. Replaying a stream needs read access to the run's workspace, as asking did.
 */
import { createRoute, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { completionId, isCompletionId } from '../../agent/run-id'
import type { RunEvent, RunInput, RunMessage } from '../../agent/run-types'
import type { Question } from '../../search'
import { authorizeWorkspace } from '../../tenancy/workspace-access'
import { requireUser, type UserPrincipal } from '../auth'
import { ApiError, invalid, notFound } from '../errors'
import { bearerSecurity, errorResponses, ServerSentEvent } from '../schemas'
import { streamRun } from '../sse'
import type { App, AppContext } from '../context'
import type { ChatBody } from './chat-schemas'

/** The question's pictures as data URLs; faults name the part. */
function pictureUrls(c: Context<AppContext>, question: Question): string[] {
  return question.images.map(({ url, param }) => {
    if (!c.get('deps').models.vision) {
      throw invalid(`${param}: reading a picture needs a vision model, and none is configured (set MODEL_PROVIDER and VISION_MODEL); send the question as text.`, param, 'model_not_configured')
    }
    if (typeof url !== 'string' || !/^data:image\/(png|jpe?g|webp|gif);base64,/i.test(url)) {
      throw invalid(`${param}.image_url.url: give the picture inline as a data: URL (data:image/png;base64,…); Cairn does not fetch pictures from the web.`, `${param}.image_url.url`)
    }
    return url
  })
}

/** Starts the run and answers: SSE that follows the run, or the completion when it is done. */
export async function answerWithRun(c: Context<AppContext>, user: UserPrincipal, workspaceId: string, body: ChatBody, question: Question): Promise<Response> {
  const images = pictureUrls(c, question)
  const input: RunInput = {
    id: completionId(),
    created: Math.floor(Date.now() / 1000),
    model: body.model,
    orgId: user.orgId,
    workspaceId,
    userId: user.userId,
    messages: body.messages,
    // top_k only when the filter part set it; otherwise the run's effort decides.
    question: { messageIndex: question.messageIndex, text: question.text, filter: question.filterText, topK: question.topKGiven ? question.topK : null, images },
    options: {
      effort: body.reasoning_effort ?? 'medium',
      maxTokens: body.max_completion_tokens ?? body.max_tokens ?? null,
      temperature: body.temperature ?? null,
      topP: body.top_p ?? null,
      seed: body.seed ?? null,
      stop: typeof body.stop === 'string' ? [body.stop] : (body.stop ?? []),
      store: body.store ?? false,
      metadata: body.metadata ?? {},
      includeUsage: body.stream_options?.include_usage ?? false,
    },
  }
  // Stored as the client sent them (a string stays a string), not as validation normalised them.
  const raw = await c.req.json<{ messages?: unknown }>()
  if (Array.isArray(raw.messages) && raw.messages.length === input.messages.length) input.messages = raw.messages as RunMessage[]
  const stub = c.env.COMPLETIONS.getByName(input.id)
  const header = { id: input.id, created: input.created, model: input.model }
  // Streaming: the opening chunk goes out before the run is even set up, so the first byte is at once.
  if (body.stream) {
    return streamRun(c, header, input.options.includeUsage, async () => {
      await stub.start(input)
      return stub.stream()
    })
  }

  await stub.start(input)
  // RPC's types drop fields typed `unknown` (file metadata); the object is the RunEvent sent.
  const outcome = (await stub.outcome()) as unknown as RunEvent | null
  if (outcome?.type === 'done') return c.json(outcome.completion, 200)
  const error = outcome?.type === 'failed' ? outcome.error : { message: 'The run ended without an answer.', type: 'server_error', code: 'run_failed' }
  throw new ApiError(500, error.message, error.code)
}

const streamRoute = createRoute({
  method: 'get',
  path: '/chat/completions/{completion_id}/stream',
  tags: ['Chat'],
  summary: 'Replay and follow an l0 run',
  description:
    'The run\'s Server-Sent Events from the start, then live until it ends, exactly as `stream: true` sent them. Works while the run is going and after it has ended, whether or not the client that started it is still there.',
  security: bearerSecurity,
  request: { params: z.object({ completion_id: z.string().max(100).openapi({ example: 'chatcmpl-0123456789abcdef0123456789abcdef' }) }) },
  responses: {
    200: { description: 'The run as Server-Sent Events', content: { 'text/event-stream': { schema: ServerSentEvent } } },
    ...errorResponses(401, 403, 404),
  },
})

export function registerRunStreamRoute(app: App): void {
  app.openapi(streamRoute, async (c) => {
    const user = requireUser(c)
    const { completion_id: id } = c.req.valid('param')
    const missing = () => notFound(`No run with id "${id}" was found.`, 'completion_id')
    // Only ids Cairn makes name an object, so a guess never creates one.
    if (!isCompletionId(id)) throw missing()
    const stub = c.env.COMPLETIONS.getByName(id)
    const owner = await stub.owner()
    if (!owner || owner.orgId !== user.orgId) throw missing()
    await authorizeWorkspace(c.get('deps').db, user, owner.workspaceId, 'reader')
    return streamRun(c, { id, created: owner.created, model: owner.model }, owner.includeUsage, () => stub.stream())
  })
}
