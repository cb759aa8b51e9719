/** A file's status as a person reads it: pages done while processing, the sentence when it failed. */
import type { ApiFile } from '../api'

export function StatusBadge({ file }: { file: ApiFile }) {
  const p = file.progress
  const pages = file.status === 'processing' && p && p.pages_total ? ` (${p.pages_done} / ${p.pages_total} pages)` : ''
  return (
    <span class="status">
      <span class={`badge ${file.status}`} data-status={file.status}>
        {file.status}
        {pages}
      </span>
      {file.status === 'error' && file.status_details && <span class="error detail">{file.status_details}</span>}
    </span>
  )
}
