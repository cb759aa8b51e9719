/**
 * @module The audit record of an answer: who asked, in which workspace, the question, the SHA-256
 * of the answer's text, the exact chunks and pages it cites, and the ids of the models that made it.
 * With the file's own SHA-256 (recorded at upload), this is what proves later which evidence an
 * answer was built on, without keeping the answer itself.
 */
import { d1Database } from '../db/client'
import { sha256Hex } from '../db/ids'
import type { Models } from '../models/ports'
import type { EvidenceFields } from '../search/evidence'
import { appendAudit } from './log'

export type AnsweredQuestion = {
  orgId: string
  workspaceId: string
  userId: string
  email?: string | null
  completionId: string
  /** The model the request named (`l0`, `activeloop-l0-retrieval`, …). */
  model: string
  question: string
  /** The answer's text; for retrieval, the chunks' texts in order. */
  answer: string
  /** The evidence the answer cites, in order; repeats of a chunk are recorded once. */
  cited: readonly EvidenceFields[]
  outcome: 'answered' | 'failed'
}

/**
 * Characters of the question the record keeps; a longer one (a request may carry megabytes) is cut,
 * and the hash of the whole question still pins it down.
 */
export const QUESTION_CHARS = 4000

/** Where a cited chunk is: file, chunk, and the page, sheet and rows or time where the format has them. */
function citedPlace(e: EvidenceFields) {
  return { file_id: e.file_id, filename: e.filename, chunk_id: e.chunk_id, page: e.page, sheet: e.sheet, rows: e.rows, start_time: e.start_time, end_time: e.end_time }
}

/** The ids of the models a question may have used, by role; a role that is off is left out. */
export function modelIds(models: Models): Record<string, string> {
  const ids: Record<string, string> = {}
  for (const role of ['reasoning', 'embedding', 'rerank', 'vision', 'speech'] as const) {
    const model = models[role]
    if (model) ids[role] = model.modelId
  }
  return ids
}

export async function recordAnswer(deps: { d1: D1Database; models: Models }, answer: AnsweredQuestion): Promise<void> {
  const seen = new Set<string>()
  const cited = answer.cited.filter((e) => !seen.has(e.chunk_id) && seen.add(e.chunk_id)).map(citedPlace)
  await appendAudit(d1Database(deps.d1), answer.orgId, [
    {
      actor: { kind: 'user', userId: answer.userId, email: answer.email ?? null },
      action: 'answer',
      workspaceId: answer.workspaceId,
      target: answer.completionId,
      details: {
        model: answer.model,
        question: answer.question.length > QUESTION_CHARS ? `${answer.question.slice(0, QUESTION_CHARS)}…` : answer.question,
        question_sha256: await sha256Hex(answer.question),
        answer_sha256: await sha256Hex(answer.answer),
        cited,
        model_ids: modelIds(deps.models),
        outcome: answer.outcome,
      },
    },
  ])
}
