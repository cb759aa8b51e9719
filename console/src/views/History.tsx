/**
 * History: the workspace's stored completions. Open one to read it, replay its stream, rename it
 * (its `title` metadata) or delete it.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, query, request } from '../api'
import { go } from '../router'
import { session } from '../session'
import { readChunks } from '../sse'
import { Answer, applyChunk, emptyAnswer, fromCompletion, type AnswerState } from './Answer'
import { Alert, Notice } from './Notice'

type Stored = { id: string; created: number; model: string; metadata?: Record<string, string> }

export function History({ id }: { id?: string }) {
  const workspace = session.workspace()
  const [list, setList] = useState<Stored[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    api<{ data: Stored[] }>('GET', `/chat/completions${query({ workspace, limit: 100, order: 'desc' })}`)
      .then((r) => setList(r.data))
      .catch((e: ApiError) => setError(e.message))
  }, [workspace, id])
  if (id) return <Completion id={id} />
  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">History</h1>
      <Alert text={error} />
      {list === null ? (
        <p class="muted">Loading…</p>
      ) : list.length === 0 ? (
        <p class="muted">No stored answers yet. Questions asked in Ask are kept here.</p>
      ) : (
        <ul class="history">
          {list.map((c) => (
            <li>
              <a href={`#/history/${encodeURIComponent(c.id)}`}>{c.metadata?.title || c.id}</a>
              <span class="muted"> · {new Date(c.created * 1000).toLocaleString()}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

function Completion({ id }: { id: string }) {
  const workspace = session.workspace()
  const path = `/chat/completions/${encodeURIComponent(id)}`
  const [completion, setCompletion] = useState<any>(null)
  const [answer, setAnswer] = useState<AnswerState | null>(null)
  const [title, setTitle] = useState('')
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null)
  useEffect(() => {
    api<any>('GET', `${path}${query({ workspace })}`)
      .then((c) => {
        setCompletion(c)
        setAnswer(fromCompletion(c))
        setTitle(c.metadata?.title ?? '')
      })
      .catch((e: ApiError) => setMessage({ text: e.message, error: true }))
  }, [id])

  async function replay() {
    let state = emptyAnswer()
    setAnswer(state)
    try {
      const res = await request('GET', `${path}/stream${query({ workspace })}`)
      await readChunks(res, (chunk) => setAnswer((state = applyChunk(state, chunk))))
    } catch (e) {
      setMessage({ text: (e as ApiError).message, error: true })
    }
  }

  async function rename(e: Event) {
    e.preventDefault()
    try {
      const c = await api<any>('POST', `${path}${query({ workspace })}`, { metadata: { ...(completion?.metadata ?? {}), title } })
      setCompletion(c)
      setMessage({ text: 'Renamed.' })
    } catch (err) {
      setMessage({ text: (err as ApiError).message, error: true })
    }
  }

  async function remove() {
    if (!confirm('Delete this stored answer?')) return
    try {
      await api('DELETE', `${path}${query({ workspace })}`)
      go('history')
    } catch (err) {
      setMessage({ text: (err as ApiError).message, error: true })
    }
  }

  return (
    <section aria-labelledby="completion-title">
      <p>
        <a href="#/history">← History</a>
      </p>
      <h1 id="completion-title">{completion?.metadata?.title || id}</h1>
      <Notice message={message} />
      <div class="row">
        <button type="button" onClick={replay}>
          Replay the stream
        </button>
        <button type="button" class="danger" onClick={remove}>
          Delete
        </button>
      </div>
      <form class="row" onSubmit={rename}>
        <label for="title">Title</label>
        <input id="title" value={title} maxLength={512} onInput={(e) => setTitle(e.currentTarget.value)} />
        <button type="submit">Rename</button>
      </form>
      {answer && <Answer answer={answer} />}
    </section>
  )
}
