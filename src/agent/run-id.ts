/**
 * @module The id of a completion: `chatcmpl-` and 32 hex digits. It names the run's Durable Object,
 * so only ids made here may name one, and a guessed id never creates an object.
 */

/** A new completion id. */
export const completionId = () => `chatcmpl-${crypto.randomUUID().replace(/-/g, '')}`

/** Whether `id` has the shape of an id Cairn makes. */
export const isCompletionId = (id: string) => /^chatcmpl-[0-9a-f]{32}$/.test(id)
