/**
 * @module A stored completion's request messages as OpenAI lists them (`id`, `role`, `content`,
 * `name`, `content_parts`), and paging through them by message id.
 */
import { UnknownCursorError } from './store'

export type StoredMessage = {
  id: string
  role: string
  content: string | null
  name: string | null
  content_parts: unknown[] | null
}

export type MessagePage = { messages: StoredMessage[]; hasMore: boolean }

/** Ids are positional, so they are stable for as long as the completion exists. */
const messageId = (completionId: string, index: number) => `${completionId}-${index}`

function textOf(parts: unknown[]): string | null {
  const texts = parts.flatMap((p) => (p !== null && typeof p === 'object' && (p as { type?: unknown }).type === 'text' && typeof (p as { text?: unknown }).text === 'string' ? [(p as { text: string }).text] : []))
  return texts.length > 0 ? texts.join('\n') : null
}

export function storedMessage(completionId: string, index: number, message: unknown): StoredMessage {
  const m = (message !== null && typeof message === 'object' ? message : {}) as { role?: unknown; content?: unknown; name?: unknown }
  const parts = Array.isArray(m.content) ? m.content : null
  return {
    id: messageId(completionId, index),
    role: typeof m.role === 'string' ? m.role : 'user',
    content: typeof m.content === 'string' ? m.content : parts ? textOf(parts) : null,
    name: typeof m.name === 'string' ? m.name : null,
    content_parts: parts,
  }
}

/** The index a message id names, or null when it is not one of this completion's. */
function indexOf(completionId: string, id: string, count: number): number | null {
  const prefix = `${completionId}-`
  if (!id.startsWith(prefix)) return null
  const rest = id.slice(prefix.length)
  if (!/^(0|[1-9]\d*)$/.test(rest)) return null
  const index = Number(rest)
  return index < count ? index : null
}

/**
 * One page of messages in request order (`asc`) or reversed (`desc`), starting after the message `after`.
 * @throws UnknownCursorError when `after` is not a message of this completion
 */
export function pageMessages(
  completionId: string,
  messages: readonly unknown[],
  options: { after?: string; limit: number; order: 'asc' | 'desc' },
): MessagePage {
  const all = messages.map((m, i) => storedMessage(completionId, i, m))
  const ordered = options.order === 'asc' ? all : all.reverse()
  let start = 0
  if (options.after !== undefined) {
    const index = indexOf(completionId, options.after, all.length)
    if (index === null) throw new UnknownCursorError(options.after)
    start = (options.order === 'asc' ? index : all.length - 1 - index) + 1
  }
  const page = ordered.slice(start, start + options.limit)
  return { messages: page, hasMore: start + options.limit < ordered.length }
}
