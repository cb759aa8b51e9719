/**
 * @module The Server-Sent Events the API sends, framed in one place: `l0-retrieval`'s one-chunk
 * stream and an `l0` run's log. A run's events become OpenAI's streaming shape: each becomes a
 * `chat.completion.chunk` (`delta.reasoning_content` for the trace, `delta.content` for the answer);
 * the last chunk carries the finish reason, the annotations and `metadata.relevant_docs`; a usage
 * chunk follows when the request asked for it. A failed run becomes an `error` event, as OpenAI sends
 * one mid-stream. Every stream ends with `[DONE]`.
 *
 * Every delta names both `content` and `reasoning_content` (null when it carries the other): L0's own
 * Python example reads `c.delta.reasoning_content` on every chunk, and the OpenAI SDK raises on a
 * field it does not know unless the chunk has it.
 */
import type { Context } from 'hono'
import { streamSSE } from 'hono/streaming'
import { readEvents } from '../agent/run-log'
import type { ChatCompletion, RunEvent } from '../agent/run-types'

/** One event: `data` as JSON on one line, or the `[DONE]` that ends a stream. */
export function sseEvent(data: object | '[DONE]'): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`
}

/** A stream known whole at once: its events, then `[DONE]`. */
export function sseResponse(c: Context, events: readonly object[]): Response {
  const text = events.map(sseEvent).join('') + sseEvent('[DONE]')
  return c.body(text, 200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' })
}

export type ChunkHeader = { id: string; created: number; model: string }

/**
 * A run's log as SSE: the opening chunk at once, then each event as it comes. `openLog` starts the
 * run where needed and opens its log. The client leaving cancels the reading, never the run.
 */
export function streamRun(c: Context, header: ChunkHeader, includeUsage: boolean, openLog: () => Promise<ReadableStream<Uint8Array>>): Response {
  c.header('cache-control', 'no-cache')
  c.header('x-accel-buffering', 'no')
  return streamSSE(c, async (sse) => {
    // The opening chunk goes out before the run is even set up, so the first byte is at once.
    await sse.write(sseEvent(openingChunk(header)))
    const log = (await openLog()).getReader()
    // The client leaving ends this reading of the log; the run goes on in its object.
    sse.onAbort(() => void log.cancel().catch(() => {}))
    try {
      for await (const event of readEvents(log)) {
        for (const chunk of chunksFor(header, event, includeUsage)) await sse.write(sseEvent(chunk))
        if (sse.aborted) return
      }
      await sse.write(sseEvent('[DONE]'))
    } catch (err) {
      if (!sse.aborted) throw err
    }
  })
}

const chunk = (h: ChunkHeader, choice: Record<string, unknown>) => ({
  id: h.id,
  object: 'chat.completion.chunk' as const,
  created: h.created,
  model: h.model,
  choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }],
})

/** The first chunk, sent before the run has said anything, so a client sees bytes at once. */
function openingChunk(h: ChunkHeader): object {
  return chunk(h, { delta: { role: 'assistant', content: '', reasoning_content: null } })
}

/** The chunks (as objects to serialise) for one event of the log. */
function chunksFor(h: ChunkHeader, event: RunEvent, includeUsage: boolean): object[] {
  switch (event.type) {
    case 'reasoning':
      return [chunk(h, { delta: { content: null, reasoning_content: event.text } })]
    case 'content':
      return [chunk(h, { delta: { content: event.text, reasoning_content: null } })]
    case 'done':
      return closingChunks(h, event.completion, includeUsage)
    case 'failed':
      return [{ error: event.error }]
  }
}

function closingChunks(h: ChunkHeader, completion: ChatCompletion, includeUsage: boolean): object[] {
  const choice = completion.choices[0]!
  const last = chunk(h, { delta: { content: null, reasoning_content: null, annotations: choice.message.annotations }, finish_reason: choice.finish_reason, metadata: choice.metadata })
  if (!includeUsage) return [last]
  return [last, { id: h.id, object: 'chat.completion.chunk', created: h.created, model: h.model, choices: [], usage: completion.usage, perception_usage: completion.perception_usage }]
}
