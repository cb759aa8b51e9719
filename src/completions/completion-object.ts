/**
 * @module A stored completion as the API returns it: the `chat.completion` object the client first
 * received, with the metadata as it stands now (it may have been replaced since).
 */
import type { StoredCompletion } from './store'

export type CompletionObject = Record<string, unknown> & {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  metadata: Record<string, string>
}

export function completionObject(stored: StoredCompletion): CompletionObject {
  return {
    ...stored.completion,
    id: stored.id,
    object: 'chat.completion',
    created: stored.created,
    model: stored.model,
    metadata: stored.metadata,
  }
}
