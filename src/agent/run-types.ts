/**
 * @module What a completion run is given and what it records. Both cross the Durable Object's RPC
 * boundary and live in its storage, so they are plain JSON.
 */
import type { FileCitation, RelevantDoc } from './citations'
import type { OpenAiUsage } from '../models/usage'

export type Effort = 'low' | 'medium' | 'high'

/** A message of the request as the run needs it: role and content as sent. */
export type RunMessage = { role: string; content?: unknown; name?: string | undefined }

export type RunInput = {
  id: string
  /** Unix seconds. */
  created: number
  /** As the request named it (`l0` or `activeloop-l0`). */
  model: string
  orgId: string
  workspaceId: string
  userId: string
  messages: RunMessage[]
  /** The question: the last user message's text, its filter expression and any pictures (data URLs). */
  question: { messageIndex: number; text: string; filter: string | null; topK: number | null; images: string[] }
  options: {
    effort: Effort
    maxTokens: number | null
    temperature: number | null
    topP: number | null
    seed: number | null
    stop: string[]
    store: boolean
    metadata: Record<string, string>
    /** `stream_options.include_usage`: a usage chunk before `[DONE]`, on the stream and its replays. */
    includeUsage: boolean
  }
}

export type ChatCompletion = {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: Array<{
    index: 0
    message: { role: 'assistant'; content: string; reasoning_content: string; annotations: FileCitation[]; refusal: null }
    metadata: { relevant_docs: RelevantDoc[] }
    finish_reason: 'stop' | 'length'
    logprobs: null
  }>
  usage: OpenAiUsage
  perception_usage: OpenAiUsage
  metadata?: Record<string, string>
}

export type RunFailure = { message: string; type: string; code: string }

/** One entry of a run's log. A run ends with exactly one `done` or `failed`. */
export type RunEvent =
  | { type: 'reasoning'; text: string }
  | { type: 'content'; text: string }
  | { type: 'done'; completion: ChatCompletion }
  | { type: 'failed'; error: RunFailure }

export const isFinal = (event: RunEvent) => event.type === 'done' || event.type === 'failed'
