/**
 * @module A run's log as OpenAI's streaming shape: each event becomes a `chat.completion.chunk`
 * (`delta.reasoning_content` for the trace, `delta.content` for the answer); the last chunk carries
 * the finish reason, the annotations and `metadata.relevant_docs`; a usage chunk follows when the
 * request asked for it. A failed run becomes an `error` event, as OpenAI sends one mid-stream.
 *
 * Every delta names both `content` and `reasoning_content` (null when it carries the other): L0's own
 * Python example reads `c.delta.reasoning_content` on every chunk, and the OpenAI SDK raises on a
 * field it does not know unless the chunk has it.
 */
import type { ChatCompletion, RunEvent } from './run-types'

export type ChunkHeader = { id: string; created: number; model: string }

const chunk = (h: ChunkHeader, choice: Record<string, unknown>) => ({
  id: h.id,
  object: 'chat.completion.chunk' as const,
  created: h.created,
  model: h.model,
  choices: [{ index: 0, logprobs: null, finish_reason: null, ...choice }],
})

/** The first chunk, sent before the run has said anything, so a client sees bytes at once. */
export function openingChunk(h: ChunkHeader): object {
  return chunk(h, { delta: { role: 'assistant', content: '', reasoning_content: null } })
}

/** The chunks (as objects to serialise) for one event of the log. */
export function chunksFor(h: ChunkHeader, event: RunEvent, includeUsage: boolean): object[] {
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

/** Splits the Durable Object's JSON-lines stream into events. */
export async function* readEvents(reader: ReadableStreamDefaultReader<Uint8Array>): AsyncGenerator<RunEvent> {
  const decoder = new TextDecoder()
  let buffered = ''
  for (;;) {
    const { value: bytes, done } = await reader.read()
    if (done) return
    buffered += decoder.decode(bytes, { stream: true })
    let newline = buffered.indexOf('\n')
    while (newline >= 0) {
      const line = buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      if (line) yield JSON.parse(line) as RunEvent
      newline = buffered.indexOf('\n')
    }
  }
}
