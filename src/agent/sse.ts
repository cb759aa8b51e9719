/**
 * @module A run's log as OpenAI's streaming shape: each event becomes a `chat.completion.chunk`
 * (`delta.reasoning_content` for the trace, `delta.content` for the answer); the last chunk carries
 * the finish reason, the annotations and `metadata.relevant_docs`; a usage chunk follows when the
 * request asked for it. A failed run becomes an `error` event, as OpenAI sends one mid-stream.
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
  return chunk(h, { delta: { role: 'assistant', content: '' } })
}

/** The chunks (as objects to serialise) for one event of the log. */
export function chunksFor(h: ChunkHeader, event: RunEvent, includeUsage: boolean): object[] {
  switch (event.type) {
    case 'reasoning':
      return [chunk(h, { delta: { reasoning_content: event.text } })]
    case 'content':
      return [chunk(h, { delta: { content: event.text } })]
    case 'done':
      return closingChunks(h, event.completion, includeUsage)
    case 'failed':
      return [{ error: event.error }]
  }
}

function closingChunks(h: ChunkHeader, completion: ChatCompletion, includeUsage: boolean): object[] {
  const choice = completion.choices[0]!
  const last = chunk(h, { delta: { annotations: choice.message.annotations }, finish_reason: choice.finish_reason, metadata: choice.metadata })
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
