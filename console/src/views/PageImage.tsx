/**
 * The evidence viewer: the cited page's picture with the quoted passage outlined by boxes
 * (`boxes`, normalised page coordinates); a spreadsheet citation shows its sheet and rows, a
 * recording plays from the cited second, and a page without text positions says so.
 */
import { useEffect, useRef, useState } from 'preact/hooks'
import { ApiError, objectUrl, query } from '../api'
import { session } from '../session'
import { Alert } from './Notice'

export type Box = { x: number; y: number; w: number; h: number }
export type Evidence = {
  file_id: string
  filename: string
  page: number | null
  quote?: string
  text?: string
  boxes?: Box[]
  sheet?: string
  rows?: [number, number]
  start_time?: number
  end_time?: number
  modality?: string
  heading?: string
}

const isAudio = (e: Evidence) => e.modality === 'audio' || e.start_time !== undefined

export function PageImage({ evidence, onClose }: { evidence: Evidence; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null)
  const [src, setSrc] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const workspace = session.workspace()
  const wantsPage = evidence.page !== null && !evidence.sheet && !isAudio(evidence) && /\.pdf$/i.test(evidence.filename)
  const wantsAudio = isAudio(evidence)

  useEffect(() => {
    dialog.current?.showModal()
    let url: string | null = null
    const path = wantsPage
      ? `/files/${encodeURIComponent(evidence.file_id)}/pages/${evidence.page}/image${query({ workspace })}`
      : wantsAudio
        ? `/files/${encodeURIComponent(evidence.file_id)}/content${query({ workspace })}`
        : null
    if (path)
      objectUrl(path)
        .then((u) => setSrc((url = u)))
        .catch((e: ApiError) => setError(e.message))
    return () => url && URL.revokeObjectURL(url)
  }, [evidence.file_id, evidence.page])

  const passage = evidence.quote ?? evidence.text
  const where = evidence.sheet ? `sheet ${evidence.sheet}${evidence.rows ? `, rows ${evidence.rows[0]}–${evidence.rows[1]}` : ''}` : evidence.page !== null ? `page ${evidence.page}` : ''
  return (
    <dialog ref={dialog} class="viewer" aria-labelledby="viewer-title" onClose={onClose} onClick={(e) => e.target === dialog.current && dialog.current?.close()}>
      <header class="row">
        <h2 id="viewer-title">
          {evidence.filename}
          {where && <span class="muted"> · {where}</span>}
        </h2>
        <span class="spacer" />
        <button type="button" class="ghost" onClick={() => dialog.current?.close()} autofocus>
          Close
        </button>
      </header>
      <Alert text={error} />
      {wantsPage && src && (
        <>
          <div class="page">
            <img src={src} alt={`${evidence.filename}, page ${evidence.page}`} />
            {(evidence.boxes ?? []).map((b, i) => (
              <div
                class="box"
                data-testid="evidence-box"
                data-box={i}
                style={{ left: `${b.x * 100}%`, top: `${b.y * 100}%`, width: `${b.w * 100}%`, height: `${b.h * 100}%` }}
              />
            ))}
          </div>
          {!evidence.boxes?.length && passage !== undefined && (
            <p class="muted" role="note">
              This page has no text positions (a scan or a picture), so the passage cannot be outlined on it.
            </p>
          )}
        </>
      )}
      {wantsPage && !src && !error && <p class="muted">Drawing the page…</p>}
      {wantsAudio && src && <AudioAt src={src} start={evidence.start_time ?? 0} />}
      {passage && (
        <figure class="passage">
          <figcaption class="muted">{evidence.quote ? 'Quoted passage' : 'Passage'}</figcaption>
          <blockquote>{passage}</blockquote>
        </figure>
      )}
    </dialog>
  )
}

function AudioAt({ src, start }: { src: string; start: number }) {
  const audio = useRef<HTMLAudioElement>(null)
  return (
    <p>
      <audio ref={audio} controls src={src} onLoadedMetadata={() => audio.current && (audio.current.currentTime = start)} />
      <span class="muted"> from {Math.floor(start / 60)}:{String(Math.floor(start % 60)).padStart(2, '0')}</span>
    </p>
  )
}
