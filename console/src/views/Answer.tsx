/**
 * An `l0` answer as it streams: the reasoning trace (collapsible), the answer with its `[n]` markers
 * as buttons that open the cited page, and the sources. Shared by Ask and History (replays).
 */
import { useState } from 'preact/hooks'
import { PageImage, type Evidence } from './PageImage'

export type Citation = { type: 'file_citation'; text: string; start_index: number; end_index: number; file_citation: Evidence & { quote: string } }
export type AnswerState = {
  id?: string
  reasoning: string
  content: string
  annotations: Citation[]
  sources: (Evidence & { text?: string })[]
  done: boolean
  error?: string
}

export const emptyAnswer = (): AnswerState => ({ reasoning: '', content: '', annotations: [], sources: [], done: false })

/** Folds one `chat.completion.chunk` (or a stream's error event) into the answer. */
export function applyChunk(state: AnswerState, chunk: any): AnswerState {
  if (chunk?.error) return { ...state, error: chunk.error.message ?? 'The run failed.', done: true }
  const choice = chunk?.choices?.[0]
  if (!choice) return state
  const delta = choice.delta ?? {}
  return {
    ...state,
    id: state.id ?? chunk.id,
    reasoning: state.reasoning + (delta.reasoning_content ?? ''),
    content: state.content + (delta.content ?? ''),
    annotations: delta.annotations ?? state.annotations,
    sources: choice.metadata?.relevant_docs ?? state.sources,
    done: state.done || choice.finish_reason != null,
  }
}

/** A stored completion, whole, as an answer. */
export function fromCompletion(c: any): AnswerState {
  const choice = c.choices?.[0] ?? {}
  return {
    id: c.id,
    reasoning: choice.message?.reasoning_content ?? '',
    content: choice.message?.content ?? '',
    annotations: choice.message?.annotations ?? [],
    sources: choice.metadata?.relevant_docs ?? [],
    done: true,
  }
}

export function Answer({ answer }: { answer: AnswerState }) {
  const [open, setOpen] = useState<Evidence | null>(null)
  const byMarker = new Map(answer.annotations.map((a) => [a.text, a]))
  const parts = answer.content.split(/(\[\d+\])/)
  return (
    <div class="answer" aria-live="polite" aria-busy={!answer.done}>
      {answer.reasoning && (
        <details class="reasoning" open={!answer.content}>
          <summary>Reasoning{answer.done ? '' : '…'}</summary>
          <pre class="trace">{answer.reasoning}</pre>
        </details>
      )}
      <div class="content" data-testid="answer">
        {parts.map((p) => {
          const citation = byMarker.get(p)
          return citation ? (
            <button type="button" class="marker" data-testid="citation" onClick={() => setOpen(citation.file_citation)} aria-label={`Source ${p}: ${citation.file_citation.filename}${citation.file_citation.page ? `, page ${citation.file_citation.page}` : ''}`}>
              {p}
            </button>
          ) : (
            p
          )
        })}
        {!answer.done && <span class="cursor" aria-hidden="true" />}
      </div>
      {answer.error && (
        <p role="alert" class="error">
          {answer.error}
        </p>
      )}
      {answer.annotations.length > 0 && (
        <ol class="citations" aria-label="Citations">
          {answer.annotations.map((a) => (
            <li>
              <button type="button" class="link" onClick={() => setOpen(a.file_citation)}>
                {a.text} {a.file_citation.filename}
                {a.file_citation.page !== null ? `, page ${a.file_citation.page}` : ''}
                {a.file_citation.sheet ? `, ${a.file_citation.sheet}` : ''}
              </button>
              <q>{a.file_citation.quote}</q>
            </li>
          ))}
        </ol>
      )}
      {open && <PageImage evidence={open} onClose={() => setOpen(null)} />}
    </div>
  )
}
