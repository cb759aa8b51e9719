/**
 * Reads a chat completion stream (Server-Sent Events of `chat.completion.chunk`) from a fetch
 * response, with eventsource-parser doing the framing; calls `onChunk` for each JSON chunk.
 */
import { createParser } from 'eventsource-parser'

export async function readChunks(res: Response, onChunk: (chunk: any) => void): Promise<void> {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader()
  const parser = createParser({
    onEvent(event) {
      if (event.data === '[DONE]') return
      try {
        onChunk(JSON.parse(event.data))
      } catch {
        // A malformed event is skipped; the stream goes on.
      }
    },
  })
  for (;;) {
    const { done, value } = await reader.read()
    if (done) return
    parser.feed(value)
  }
}
