/**
 * @module The request's messages as the reasoning model reads them: earlier turns as context, the
 * caller's system and developer messages as instructions, the question as the last turn. Tool and
 * function messages from a client's own tool loop carry nothing Cairn can use and are left out.
 */
import type { ModelMessage } from 'ai'
import type { RunMessage } from './run-types'

/** Characters of earlier turns kept, newest first, so a long chat cannot crowd out the evidence. */
const HISTORY_CHARS = 24_000

export function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  if (!Array.isArray(content)) return ''
  return content
    .filter((p): p is { type: 'text'; text: string } => !!p && typeof p === 'object' && (p as { type?: unknown }).type === 'text' && typeof (p as { text?: unknown }).text === 'string')
    .map((p) => p.text)
    .join('\n')
}

export type Conversation = { instructions: string; history: ModelMessage[] }

/** Everything before the question (`upTo`, exclusive) as context. */
export function readConversation(messages: readonly RunMessage[], upTo: number): Conversation {
  const instructions = messages
    .filter((m) => m.role === 'system' || m.role === 'developer')
    .map((m) => textOf(m.content).trim())
    .filter(Boolean)
    .join('\n\n')
  const turns: ModelMessage[] = []
  let budget = HISTORY_CHARS
  for (let i = upTo - 1; i >= 0 && budget > 0; i--) {
    const m = messages[i]!
    if (m.role !== 'user' && m.role !== 'assistant') continue
    const text = textOf(m.content).trim()
    if (!text) continue
    const kept = text.length > budget ? text.slice(text.length - budget) : text
    budget -= kept.length
    turns.unshift({ role: m.role, content: kept })
  }
  // Models expect turns to alternate and to begin with the user; fold what does not fit.
  while (turns[0]?.role === 'assistant') turns.shift()
  return { instructions, history: turns }
}
