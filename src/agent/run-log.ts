/**
 * @module A run's log on the wire: one `RunEvent` as JSON per line. The completion Durable Object
 * writes its log this way to every reader; the API reads it back into events and frames them (api/sse.ts).
 */
import type { RunEvent } from './run-types'

const encoder = new TextEncoder()

/** One stored event (its JSON) as a line of the stream. */
export function logLine(data: string): Uint8Array {
  return encoder.encode(`${data}\n`)
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
