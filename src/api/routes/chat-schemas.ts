/**
 * @module The shapes of `POST /chat/completions`: OpenAI's request plus `workspace`, the `l0`
 * completion with its citations, the `l0-retrieval` elements, and the route as documented.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { MAX_TOP_K } from '../../search'
import { bearerSecurity, errorResponses, ServerSentEvent, WorkspaceId } from '../schemas'

const TextPart = z.object({ type: z.literal('text'), text: z.string() })
const FilterPart = z.object({
  type: z.literal('filter'),
  filter: z
    .string()
    .nullable()
    .optional()
    .openapi({
      description: 'A filter expression over the files (and `page`, `modality`). Absent or null: every file is searched. An empty or blank expression is a 422 naming this field.',
      example: "metadata.author == 'hegel'",
    }),
  top_k: z.number().int().min(1).max(MAX_TOP_K).nullable().optional().openapi({ description: `How many elements l0-retrieval returns (default 5, at most ${MAX_TOP_K})` }),
})
const ImagePart = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string(), detail: z.string().optional() }) })
const ContentPart = z.discriminatedUnion('type', [TextPart, FilterPart, ImagePart])

/**
 * A string is read as one text part. Not a union of the two: a union's failure names only `content`,
 * where this names the very part and field at fault (`messages[0].content[1].top_k`).
 */
const Content = z
  .preprocess((v) => (typeof v === 'string' ? [{ type: 'text', text: v }] : v), z.array(ContentPart))
  .openapi({ description: 'A string, or an array of `text`, `filter` and `image_url` parts' })

// Unknown fields of a message (tool_calls, refusal…) are accepted and ignored, as they are on the request.
const Message = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: Content.nullable().optional(),
  name: z.string().optional(),
})

const ChatRequest = z
  .object({
    model: z.string().min(1).max(200).openapi({ example: 'l0-retrieval' }),
    messages: z.array(Message).min(1, 'must have at least one message').max(1000),
    workspace: WorkspaceId.optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.object({ include_usage: z.boolean().nullable().optional() }).nullable().optional(),
    max_tokens: z.number().int().min(1).nullable().optional(),
    max_completion_tokens: z.number().int().min(1).nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
    response_format: z.object({ type: z.string() }).passthrough().nullable().optional(),
    user: z.string().max(256).optional(),
    store: z.boolean().nullable().optional(),
    metadata: z.record(z.string(), z.string()).nullable().optional(),
    reasoning_effort: z.enum(['low', 'medium', 'high']).nullable().optional(),
  })
  .openapi('ChatCompletionRequest')

const PageBox = z
  .object({
    x: z.number().openapi({ description: 'Left edge, as a fraction of the page width (0..1)' }),
    y: z.number().openapi({ description: 'Top edge, as a fraction of the page height (0..1), measured from the top' }),
    w: z.number().openapi({ description: 'Width, as a fraction of the page width' }),
    h: z.number().openapi({ description: 'Height, as a fraction of the page height' }),
  })
  .openapi('PageBox', { example: { x: 0.1176, y: 0.4203, w: 0.7647, h: 0.0606 } })

const Evidence = z
  .object({
    file_id: z.string(),
    filename: z.string(),
    chunk_id: z.string(),
    score: z.number().openapi({ description: 'Higher is better: the reciprocal-rank-fusion score of the search arms' }),
    modality: z.string(),
    page: z.number().nullable(),
    sheet: z.string().optional(),
    rows: z.tuple([z.number(), z.number()]).optional(),
    start_time: z.number().optional(),
    end_time: z.number().optional(),
    heading: z.string().optional(),
    boxes: z
      .array(PageBox)
      .optional()
      .openapi({
        description:
          'Where the text stands on the page, to draw over `GET /files/{file_id}/pages/{page}/image`: rectangles in normalised page coordinates (0..1, origin top-left), about one per line, lines of a paragraph joined. Around the chunk\'s text in `l0-retrieval` elements and `relevant_docs`, around the `quote` in a `file_citation`. Present only for PDF pages whose text has positions (absent for scans, pictures read by a vision model, and other formats).',
      }),
    file_metadata: z.record(z.string(), z.unknown()),
  })
  .openapi('Evidence')

const Usage = z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() })
/** What every chat completion begins with, whichever model answered. */
const CompletionHead = z.object({ id: z.string(), object: z.literal('chat.completion'), created: z.number(), model: z.string() })
const ChatCompletion = CompletionHead.extend({
  choices: z.array(
    z.object({
      index: z.number(),
      message: z.object({ role: z.literal('assistant'), content: z.string() }),
      metadata: Evidence,
      finish_reason: z.literal('stop'),
    }),
  ),
  usage: Usage,
}).openapi('ChatCompletion')

const Citation = z
  .object({
    type: z.literal('file_citation'),
    text: z.string().openapi({ example: '[1]' }),
    start_index: z.number().openapi({ description: 'Where the marker starts in `content`, in Unicode code points' }),
    end_index: z.number(),
    file_citation: Evidence.extend({ quote: z.string().openapi({ description: 'The words of the passage that support the claim, verbatim' }) }),
  })
  .openapi('FileCitation')

const AgentCompletion = CompletionHead.extend({
  choices: z.array(
    z.object({
      index: z.number(),
      message: z.object({
        role: z.literal('assistant'),
        content: z.string().openapi({ description: 'The answer, with `[n]` markers' }),
        reasoning_content: z.string().openapi({ description: 'The visible reasoning trace: what was searched and read, and the citation check' }),
        annotations: z.array(Citation),
        refusal: z.null(),
      }),
      metadata: z.object({ relevant_docs: z.array(Evidence.extend({ text: z.string() })) }),
      finish_reason: z.enum(['stop', 'length']),
      logprobs: z.null(),
    }),
  ),
  usage: Usage.openapi({ description: "The reasoning model's tokens" }),
  perception_usage: Usage.openapi({ description: "The vision and speech models' tokens" }),
  metadata: z.record(z.string(), z.string()).optional().openapi({ description: 'With `store: true`' }),
}).openapi('AgentCompletion')

/** `POST /chat/completions`, as the OpenAPI document describes it. */
export const chatRoute = createRoute({
  method: 'post',
  path: '/chat/completions',
  tags: ['Chat'],
  summary: 'Ask a question (l0) or search (l0-retrieval)',
  description:
    'OpenAI\'s request shape plus `workspace`. The last user message\'s text is the question; a `{"type": "filter", "filter", "top_k"}` part narrows the files searched.\n\n`l0` (alias `activeloop-l0`) runs the agent: it searches, reads and reasons in rounds bounded by `reasoning_effort`, then answers with `[n]` markers, each checked against its passage; `annotations` and `metadata.relevant_docs` give the sources. With `stream: true` the trace streams as `delta.reasoning_content`, the answer as `delta.content`, and the last chunk carries `delta.annotations` and `metadata.relevant_docs`; `GET /chat/completions/{id}/stream` replays a run. `store: true` keeps the completion. A JSON body may be at most 16 MB (413) and 64 levels of objects and lists deep (422). Without a reasoning model, `l0` quotes the best passages.\n\n`l0-retrieval` answers at once: `choices` are the top_k chunks, best first (with `stream: true`, one chunk, then `[DONE]`); Server-Timing reports the search phases.',
  security: bearerSecurity,
  request: { body: { required: true, content: { 'application/json': { schema: ChatRequest } } } },
  responses: {
    200: {
      description: 'For `l0`, the answer with its citations and reasoning trace; for `l0-retrieval`, the top_k elements',
      content: { 'application/json': { schema: z.union([AgentCompletion, ChatCompletion]) }, 'text/event-stream': { schema: ServerSentEvent } },
    },
    ...errorResponses(401, 403, 404, 422),
  },
})

/** A validated chat request. */
export type ChatBody = z.infer<typeof ChatRequest>
