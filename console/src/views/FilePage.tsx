/**
 * One file: its status and details, its metadata (edit as JSON), download, page thumbnails for
 * PDFs, and delete.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, objectUrl, query, request, type ApiFile } from '../api'
import { go } from '../router'
import { session } from '../session'
import { formatBytes } from './Files'
import { PageImage } from './PageImage'
import { StatusBadge } from './StatusBadge'
import { Notice } from './Notice'

const THUMBS = 12

export function FilePage({ id }: { id: string }) {
  const workspace = session.workspace()
  const ws = query({ workspace })
  const [file, setFile] = useState<ApiFile | null>(null)
  const [metadata, setMetadata] = useState('')
  const [message, setMessage] = useState<{ text: string; error?: boolean } | null>(null)
  const [pages, setPages] = useState(THUMBS)
  const [opened, setOpened] = useState<number | null>(null)

  const load = () =>
    api<ApiFile>('GET', `/files/${encodeURIComponent(id)}${ws}`)
      .then((f) => {
        setFile(f)
        setMetadata(JSON.stringify(f.metadata ?? {}, null, 2))
        return f
      })
      .catch((e: ApiError) => setMessage({ text: e.message, error: true }))
  useEffect(() => {
    let timer: number | undefined
    const tick = async () => {
      const f = await load()
      if (f && (f.status === 'uploaded' || f.status === 'processing')) timer = window.setTimeout(tick, 1500)
    }
    tick()
    return () => clearTimeout(timer)
  }, [id])

  async function saveMetadata(e: Event) {
    e.preventDefault()
    let body: unknown
    try {
      body = JSON.parse(metadata)
    } catch (err) {
      setMessage({ text: `The metadata is not valid JSON: ${(err as Error).message}`, error: true })
      return
    }
    try {
      setFile(await api<ApiFile>('PATCH', `/files/${encodeURIComponent(id)}/metadata${ws}`, body))
      setMessage({ text: 'Metadata saved.' })
    } catch (err) {
      setMessage({ text: (err as ApiError).message, error: true })
    }
  }

  async function download() {
    const res = await request('GET', `/files/${encodeURIComponent(id)}/content${ws}`)
    const a = document.createElement('a')
    a.href = URL.createObjectURL(await res.blob())
    a.download = file?.filename ?? id
    a.click()
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000)
  }

  async function remove() {
    if (!confirm(`Delete ${file?.filename ?? id}? Its chunks, vectors and stored bytes go too.`)) return
    try {
      await api('DELETE', `/files/${encodeURIComponent(id)}${ws}`)
      go('files')
    } catch (err) {
      setMessage({ text: (err as ApiError).message, error: true })
    }
  }

  if (!file) return message ? <p class="error" role="alert">{message.text}</p> : <p class="muted">Loading…</p>
  const isPdf = /\.pdf$/i.test(file.filename)
  const total = file.progress?.pages_total ?? 0
  return (
    <section aria-labelledby="file-title">
      <p>
        <a href="#/files">← Files</a>
      </p>
      <h1 id="file-title">{file.filename}</h1>
      <p>
        <StatusBadge file={file} /> <span class="muted">{formatBytes(file.bytes)} · {file.id}</span>
      </p>
      <div class="row">
        <button type="button" onClick={download}>
          Download
        </button>
        <button type="button" class="danger" onClick={remove}>
          Delete
        </button>
      </div>
      <Notice message={message} />
      <form class="card" onSubmit={saveMetadata}>
        <label for="file-meta">Metadata (JSON; a key set to null is removed; "instructions" asks the model to update it)</label>
        <textarea id="file-meta" class="mono" rows={6} value={metadata} onInput={(e) => setMetadata(e.currentTarget.value)} />
        <button type="submit">Save metadata</button>
      </form>
      {isPdf && total > 0 && (
        <>
          <h2>Pages</h2>
          <ul class="thumbs">
            {Array.from({ length: Math.min(total, pages) }, (_, i) => i + 1).map((n) => (
              <li>
                <button type="button" class="thumb" onClick={() => setOpened(n)} aria-label={`Open page ${n}`}>
                  <Thumb fileId={id} page={n} workspace={workspace} />
                  <span>{n}</span>
                </button>
              </li>
            ))}
          </ul>
          {total > pages && (
            <button type="button" onClick={() => setPages(pages + THUMBS)}>
              More pages ({total - pages} left)
            </button>
          )}
        </>
      )}
      {opened !== null && <PageImage evidence={{ file_id: id, filename: file.filename, page: opened }} onClose={() => setOpened(null)} />}
    </section>
  )
}

function Thumb({ fileId, page, workspace }: { fileId: string; page: number; workspace: string }) {
  const [src, setSrc] = useState<string | null>(null)
  useEffect(() => {
    let url: string | null = null
    objectUrl(`/files/${encodeURIComponent(fileId)}/pages/${page}/image${query({ workspace })}`)
      .then((u) => setSrc((url = u)))
      .catch(() => setSrc(''))
    return () => url && URL.revokeObjectURL(url)
  }, [fileId, page])
  return src ? <img src={src} alt={`Page ${page}`} loading="lazy" /> : <span class="thumb-empty">{src === '' ? 'not drawn' : '…'}</span>
}
