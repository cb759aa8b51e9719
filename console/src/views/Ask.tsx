/**
 * Ask: a question to `l0` (the answer and its reasoning stream in), or "search only" with
 * `l0-retrieval` (the top passages with their scores); an optional filter narrows the files.
 */
import { useRef, useState } from 'preact/hooks'
import { ApiError, request } from '../api'
import { session } from '../session'
import { readChunks } from '../sse'
import { Answer, applyChunk, emptyAnswer, type AnswerState } from './Answer'
import { FilterBox, filterError, type FilterError } from './FilterBox'
import { PageImage, type Evidence } from './PageImage'
import { Alert } from './Notice'

type Hit = Evidence & { score: number; text: string }

export function Ask() {
  const workspace = session.workspace()
  const [question, setQuestion] = useState('')
  const [mode, setMode] = useState<'l0' | 'l0-retrieval'>('l0')
  const [filter, setFilter] = useState('')
  const [filterErr, setFilterErr] = useState<FilterError | null>(null)
  const [answer, setAnswer] = useState<AnswerState | null>(null)
  const [hits, setHits] = useState<Hit[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const [open, setOpen] = useState<Evidence | null>(null)
  const abort = useRef<AbortController | null>(null)

  async function ask(e: Event) {
    e.preventDefault()
    abort.current?.abort()
    const controller = (abort.current = new AbortController())
    setError(null)
    setFilterErr(null)
    setHits(null)
    setAnswer(null)
    setBusy(true)
    const content: object[] = [{ type: 'text', text: question }]
    if (filter.trim() || mode === 'l0-retrieval') content.push({ type: 'filter', ...(filter.trim() ? { filter } : {}), ...(mode === 'l0-retrieval' ? { top_k: 10 } : {}) })
    const body = { model: mode, workspace, messages: [{ role: 'user', content }], stream: mode === 'l0', ...(mode === 'l0' ? { store: true, metadata: { title: question.slice(0, 200) } } : {}) }
    try {
      const res = await request('POST', '/chat/completions', { json: body, signal: controller.signal })
      if (mode === 'l0') {
        let state = emptyAnswer()
        setAnswer(state)
        await readChunks(res, (chunk) => setAnswer((state = applyChunk(state, chunk))))
      } else {
        const r = await res.json()
        setHits(r.choices.map((c: any) => ({ ...c.metadata, text: c.message.content })))
      }
    } catch (err) {
      if (controller.signal.aborted) return
      const apiErr = err as ApiError
      if (apiErr.param?.endsWith('.filter')) setFilterErr(filterError(apiErr.message))
      else setError(apiErr.message)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="ask-title">
      <h1 id="ask-title">Ask</h1>
      <form class="card" onSubmit={ask}>
        <label for="question">Question</label>
        <textarea
          id="question"
          rows={3}
          required
          value={question}
          onInput={(e) => setQuestion(e.currentTarget.value)}
          onKeyDown={(e) => e.key === 'Enter' && (e.metaKey || e.ctrlKey) && ask(e)}
          placeholder="What were the capital expenditures in 2018, per the cash flow statement?"
        />
        <fieldset class="row">
          <legend class="sr-only">Mode</legend>
          <label>
            <input type="radio" name="mode" checked={mode === 'l0'} onChange={() => setMode('l0')} /> Answer with citations
          </label>
          <label>
            <input type="radio" name="mode" checked={mode === 'l0-retrieval'} onChange={() => setMode('l0-retrieval')} /> Search only
          </label>
        </fieldset>
        <FilterBox id="ask-filter" label="Filter (optional)" value={filter} onInput={setFilter} error={filterErr} placeholder="filename = 'report.pdf'" />
        <button type="submit" disabled={busy || !question.trim()}>
          {busy ? (mode === 'l0' ? 'Answering…' : 'Searching…') : mode === 'l0' ? 'Ask' : 'Search'}
        </button>
      </form>
      <Alert text={error} />
      {answer && <Answer answer={answer} />}
      {hits && (
        <ol class="hits" aria-label="Search results">
          {hits.length === 0 && <p class="muted">Nothing found.</p>}
          {hits.map((h) => (
            <li data-testid="hit">
              <div class="row">
                <button type="button" class="link" onClick={() => setOpen(h)}>
                  {h.filename}
                  {h.page !== null ? `, page ${h.page}` : ''}
                  {h.sheet ? `, ${h.sheet}` : ''}
                </button>
                <span class="spacer" />
                <span class="score" title="Fused score of the search arms">
                  {h.score.toFixed(4)}
                </span>
              </div>
              {h.heading && <div class="muted">{h.heading}</div>}
              <p class="snippet">{h.text.length > 400 ? `${h.text.slice(0, 400)}…` : h.text}</p>
            </li>
          ))}
        </ol>
      )}
      {open && <PageImage evidence={open} onClose={() => setOpen(null)} />}
    </section>
  )
}
