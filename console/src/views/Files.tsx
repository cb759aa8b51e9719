/**
 * Files: upload many files and folders (per-file progress, metadata and instructions), and the
 * workspace's files, live, with each status, its pages done, and an error's sentence; a filter box.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError, query, uploadFile, type ApiFile } from '../api'
import { session } from '../session'
import { FilterBox, filterError, type FilterError } from './FilterBox'
import { StatusBadge } from './StatusBadge'
import { Alert } from './Notice'

type Upload = { key: string; name: string; fraction: number; error?: string; done?: boolean }

/** Every file in a drop, folders walked (webkitGetAsEntry is how browsers expose a dropped folder). */
async function droppedFiles(items: DataTransferItemList): Promise<File[]> {
  const files: File[] = []
  const walk = async (entry: any): Promise<void> => {
    if (entry.isFile) files.push(await new Promise<File>((ok, fail) => entry.file(ok, fail)))
    else if (entry.isDirectory) {
      const reader = entry.createReader()
      for (;;) {
        const batch: any[] = await new Promise((ok, fail) => reader.readEntries(ok, fail))
        if (batch.length === 0) break
        for (const child of batch) await walk(child)
      }
    }
  }
  const entries = [...items].map((i) => i.webkitGetAsEntry?.()).filter(Boolean)
  for (const entry of entries) await walk(entry)
  return files
}

export function Files() {
  const workspace = session.workspace()
  const [files, setFiles] = useState<ApiFile[] | null>(null)
  const [filter, setFilter] = useState('')
  const [applied, setApplied] = useState('')
  const [filterErr, setFilterErr] = useState<FilterError | null>(null)
  const [uploads, setUploads] = useState<Upload[]>([])
  const [metadata, setMetadata] = useState('')
  const [instructions, setInstructions] = useState('')
  const [formError, setFormError] = useState<string | null>(null)
  const [dragging, setDragging] = useState(false)
  const [loadError, setLoadError] = useState<string | null>(null)
  const timer = useRef<number>()

  async function load(expression = applied) {
    try {
      const r = await api<{ data: ApiFile[] }>('GET', `/files${query({ workspace, metadata: expression, order: 'desc', limit: 500 })}`)
      setFiles(r.data)
      setFilterErr(null)
      setLoadError(null)
      return r.data
    } catch (e) {
      const err = e as ApiError
      if (err.param === 'metadata') setFilterErr(filterError(err.message))
      else setLoadError(err.message)
      return null
    }
  }

  // While any file is still on its way, the list refreshes itself.
  useEffect(() => {
    let stopped = false
    const tick = async () => {
      const data = await load()
      if (stopped) return
      const busy = data?.some((f) => f.status === 'uploaded' || f.status === 'processing')
      timer.current = window.setTimeout(tick, busy ? 1500 : 5000)
    }
    tick()
    return () => {
      stopped = true
      clearTimeout(timer.current)
    }
  }, [applied, workspace])

  async function upload(list: File[]) {
    setFormError(null)
    if (metadata.trim()) {
      try {
        const parsed = JSON.parse(metadata)
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error()
      } catch {
        setFormError('Metadata must be a JSON object, e.g. {"author": "Ada", "year": 2024}.')
        return
      }
    }
    const batch = list.map((f, i) => ({ key: `${Date.now()}-${i}-${f.name}`, name: (f as any).webkitRelativePath || f.name, fraction: 0 }))
    setUploads((u) => [...batch, ...u])
    const update = (key: string, patch: Partial<Upload>) => setUploads((u) => u.map((x) => (x.key === key ? { ...x, ...patch } : x)))
    // A few at a time: each gets its own progress, and a big folder does not open hundreds of requests.
    let next = 0
    const worker = async () => {
      while (next < list.length) {
        const i = next++
        const form = new FormData()
        form.append('file', list[i]!, list[i]!.name)
        form.append('purpose', 'user_data')
        form.append('workspace', workspace)
        if (metadata.trim()) form.append('metadata', metadata.trim())
        if (instructions.trim()) form.append('instructions', instructions.trim())
        try {
          await uploadFile(form, (fraction) => update(batch[i]!.key, { fraction }))
          update(batch[i]!.key, { fraction: 1, done: true })
        } catch (e) {
          update(batch[i]!.key, { error: (e as ApiError).message })
        }
        load()
      }
    }
    await Promise.all([worker(), worker(), worker()])
  }

  return (
    <section aria-labelledby="files-title">
      <h1 id="files-title">Files</h1>
      <div
        class={`drop card${dragging ? ' over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault()
          setDragging(true)
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={async (e) => {
          e.preventDefault()
          setDragging(false)
          if (e.dataTransfer) upload(await droppedFiles(e.dataTransfer.items))
        }}
      >
        <p>Drop files or folders here, or</p>
        <div class="row">
          <label class="button">
            Choose files
            <input class="sr-only" type="file" multiple data-testid="file-input" onChange={(e) => upload([...(e.currentTarget.files ?? [])])} />
          </label>
          <label class="button">
            Choose a folder
            <input class="sr-only" type="file" multiple {...{ webkitdirectory: '' }} onChange={(e) => upload([...(e.currentTarget.files ?? [])])} />
          </label>
        </div>
        <details>
          <summary>Metadata and instructions for the next upload</summary>
          <label for="meta">Metadata (a JSON object, applied to each file)</label>
          <textarea id="meta" class="mono" rows={3} value={metadata} onInput={(e) => setMetadata(e.currentTarget.value)} placeholder='{"department": "legal", "year": 2024}' />
          <label for="instr">Instructions (what metadata to extract from each file)</label>
          <input id="instr" value={instructions} onInput={(e) => setInstructions(e.currentTarget.value)} placeholder="extract the author and year" />
        </details>
        <Alert text={formError} />
        {uploads.length > 0 && (
          <ul class="uploads" aria-label="Uploads">
            {uploads.slice(0, 50).map((u) => (
              <li>
                <span class="name">{u.name}</span>
                {u.error ? (
                  <span class="error">{u.error}</span>
                ) : (
                  <progress max={1} value={u.fraction} aria-label={`Uploading ${u.name}`}>
                    {Math.round(u.fraction * 100)}%
                  </progress>
                )}
                {u.done && <span class="muted">sent</span>}
              </li>
            ))}
          </ul>
        )}
      </div>

      <form
        class="row filter-row"
        onSubmit={(e) => {
          e.preventDefault()
          setApplied(filter)
          load(filter)
        }}
      >
        <FilterBox id="files-filter" label="Filter by metadata" value={filter} onInput={setFilter} error={filterErr} />
        <button type="submit">Apply</button>
      </form>
      <Alert text={loadError} />
      {files === null ? (
        <p class="muted">Loading…</p>
      ) : files.length === 0 ? (
        <p class="muted">{applied ? 'No file matches this filter.' : 'No files yet in this workspace. Upload some above.'}</p>
      ) : (
        <table class="files">
          <caption class="sr-only">Files in {workspace}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Status</th>
              <th scope="col">Size</th>
              <th scope="col">Uploaded</th>
            </tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <tr data-file={f.filename}>
                <td>
                  <a href={`#/file/${encodeURIComponent(f.id)}`}>{f.filename}</a>
                </td>
                <td>
                  <StatusBadge file={f} />
                </td>
                <td>{formatBytes(f.bytes)}</td>
                <td>{new Date(f.created_at * 1000).toLocaleString()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`
}
