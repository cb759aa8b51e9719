/**
 * @module What a chat request asks the search for: the last user message's text is the query, its
 * `filter` part narrows the files and sets top_k. Faults name the field as a client spells it.
 */
import { FilterSyntaxError, parseFilter, type FilterNode } from '../filter'
import { DEFAULT_TOP_K, MAX_TOP_K } from './retrieve'

/** The parts of a message's content this reads; other part types (images) are passed over. */
export type ContentPart =
  | { type: 'text'; text: string }
  | { type: 'filter'; filter?: string | null; top_k?: number | null }
  | { type: string; [key: string]: unknown }

export type ChatMessage = { role: string; content?: string | readonly ContentPart[] | null }

/** A picture part of the question: its URL as sent, and the field that names it (for errors). */
export type QuestionImage = { url: unknown; param: string }

export type Question = {
  /** The index of the message asked, in `messages`. */
  messageIndex: number
  text: string
  filter: FilterNode | null
  /** The filter expression as written, for a run to parse again where the tree cannot travel. */
  filterText: string | null
  topK: number
  /** Whether the filter part set top_k (else `topK` is the default, and the agent may choose). */
  topKGiven: boolean
  /** The message's `image_url` parts, in order; only their text is searched. */
  images: QuestionImage[]
  hasImages: boolean
}

/** A request that does not say what to search for; `param` names the field at fault. */
export class QuestionError extends Error {
  override readonly name = 'QuestionError'
  constructor(
    message: string,
    readonly param: string,
    readonly code: 'invalid_value' | 'invalid_filter' = 'invalid_value',
  ) {
    super(message)
  }
}

/**
 * @example
 * readQuestion([{ role: 'user', content: [{ type: 'filter', filter: "author == 'hegel'", top_k: 3 }, { type: 'text', text: 'What is logic?' }] }])
 * // { messageIndex: 0, text: 'What is logic?', filter: {…}, filterText: "author == 'hegel'", topK: 3, topKGiven: true, images: [], hasImages: false }
 */
export function readQuestion(messages: readonly ChatMessage[]): Question {
  let messageIndex = -1
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]!.role === 'user') {
      messageIndex = i
      break
    }
  }
  if (messageIndex < 0) throw new QuestionError('messages: there is no message with role "user"; the last user message is the question.', 'messages')
  const content = messages[messageIndex]!.content
  const where = `messages[${messageIndex}].content`
  const parts: readonly ContentPart[] = typeof content === 'string' ? [{ type: 'text', text: content }] : (content ?? [])

  const texts: string[] = []
  let filter: FilterNode | null = null
  let filterText: string | null = null
  let topK = DEFAULT_TOP_K
  let topKGiven = false
  let filterPart = -1
  const images: QuestionImage[] = []
  parts.forEach((part, j) => {
    if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text)
    else if (part.type === 'image_url') images.push({ url: (part as { image_url?: { url?: unknown } }).image_url?.url, param: `${where}[${j}]` })
    else if (part.type === 'filter') {
      if (filterPart >= 0) throw new QuestionError(`${where}[${j}]: a message takes at most one "filter" part; combine the conditions with "and" in one expression (the first is ${where}[${filterPart}]).`, `${where}[${j}]`)
      filterPart = j
      const { filter: expression, top_k } = part as { filter?: string | null; top_k?: number | null }
      if (typeof top_k === 'number') {
        if (!Number.isInteger(top_k) || top_k < 1 || top_k > MAX_TOP_K) throw new QuestionError(`${where}[${j}].top_k must be a whole number from 1 to ${MAX_TOP_K}.`, `${where}[${j}].top_k`)
        topK = top_k
        topKGiven = true
      }
      // An absent or null filter searches every file; an empty expression is an error (filter.md).
      if (typeof expression === 'string') {
        filter = parseQuestionFilter(expression, `${where}[${j}].filter`)
        filterText = expression
      }
    }
  })
  const text = texts.join('\n').trim()
  const hasImages = images.length > 0
  if (text === '') {
    const why = hasImages ? ' Searching by picture needs an embedding model, which is not available yet; add the question as text.' : ''
    throw new QuestionError(`${where}: the question is empty; send the text to search for as a string or a {"type": "text"} part.${why}`, where)
  }
  return { messageIndex, text, filter, filterText, topK, topKGiven, images, hasImages }
}

function parseQuestionFilter(expression: string, param: string): FilterNode {
  try {
    return parseFilter(expression, { chunkAttributes: true })
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw new QuestionError(err.message, param, 'invalid_filter')
    throw err
  }
}
