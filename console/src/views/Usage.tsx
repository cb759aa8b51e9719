/**
 * Usage: the last 30 days, one row per day with totals — questions asked and the reasoning model's
 * tokens, perception and embedding tokens, files, pages and bytes ingested — and what is stored now.
 * Yours everywhere, and everyone's in the workspaces you administer; or only the workspace in use.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError, query } from '../api'
import { session } from '../session'
import { formatBytes } from './Files'
import { Alert } from './Notice'

type Measures = Record<
  | 'completions'
  | 'reasoning_input_tokens'
  | 'reasoning_output_tokens'
  | 'perception_input_tokens'
  | 'perception_output_tokens'
  | 'embedding_input_tokens'
  | 'files_ingested'
  | 'pages_ingested'
  | 'bytes_ingested',
  number
>
type Report = { from: string; to: string; data: Array<Measures & { day: string }>; totals: Measures; stored: { files: number; bytes: number } }

const count = (n: number) => n.toLocaleString()

/** The columns after the day: header, and how a row shows it. */
const COLUMNS: Array<[string, (m: Measures) => string]> = [
  ['Questions', (m) => count(m.completions)],
  ['Tokens in', (m) => count(m.reasoning_input_tokens)],
  ['Tokens out', (m) => count(m.reasoning_output_tokens)],
  ['Perception in / out', (m) => `${count(m.perception_input_tokens)} / ${count(m.perception_output_tokens)}`],
  ['Embedding', (m) => count(m.embedding_input_tokens)],
  ['Files', (m) => count(m.files_ingested)],
  ['Pages', (m) => count(m.pages_ingested)],
  ['Bytes', (m) => formatBytes(m.bytes_ingested)],
]

export function Usage() {
  const workspace = session.workspace()
  const [only, setOnly] = useState(false)
  const [report, setReport] = useState<Report | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    api<Report>('GET', `/usage${query({ group_by: 'day', workspace: only ? workspace : null })}`)
      .then((r) => {
        setReport(r)
        setError(null)
      })
      .catch((e: ApiError) => setError(e.message))
  }, [only, workspace])

  const t = report?.totals
  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">Usage</h1>
      <div class="row">
        <label for="usage-scope">Show</label>
        <select id="usage-scope" value={only ? 'one' : 'all'} onChange={(e) => setOnly(e.currentTarget.value === 'one')}>
          <option value="all">All your workspaces</option>
          <option value="one">Only {workspace}</option>
        </select>
        {report && (
          <span class="muted">
            {report.from} to {report.to} (UTC)
          </span>
        )}
      </div>
      <p class="hint">Yours, and everyone's in the workspaces you administer. Tokens are the reasoning model's; perception is the vision and speech models'.</p>
      <Alert text={error} />
      {report && t && (
        <>
          <dl class="figures">
            <div>
              <dt>Questions</dt>
              <dd>{count(t.completions)}</dd>
            </div>
            <div>
              <dt>Tokens in / out</dt>
              <dd>
                {count(t.reasoning_input_tokens)} / {count(t.reasoning_output_tokens)}
              </dd>
            </div>
            <div>
              <dt>Pages ingested</dt>
              <dd>{count(t.pages_ingested)}</dd>
            </div>
            <div>
              <dt>Stored now</dt>
              <dd>
                {formatBytes(report.stored.bytes)} <span class="muted">in {count(report.stored.files)} file{report.stored.files === 1 ? '' : 's'}</span>
              </dd>
            </div>
          </dl>
          <div class="table-scroll">
            <table class="usage">
              <caption class="sr-only">Usage per day</caption>
              <thead>
                <tr>
                  <th scope="col">Day</th>
                  {COLUMNS.map(([header]) => (
                    <th scope="col">{header}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {report.data.length === 0 && (
                  <tr>
                    <td colSpan={COLUMNS.length + 1} class="muted">
                      No usage in these 30 days.
                    </td>
                  </tr>
                )}
                {[...report.data].reverse().map((row) => (
                  <tr>
                    <th scope="row">{row.day}</th>
                    {COLUMNS.map(([, show]) => (
                      <td>{show(row)}</td>
                    ))}
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">Total</th>
                  {COLUMNS.map(([, show]) => (
                    <td>{show(t)}</td>
                  ))}
                </tr>
              </tfoot>
            </table>
          </div>
        </>
      )}
    </section>
  )
}
