/**
 * @module Where a passage stands in its file, said in words for a model to repeat to a person:
 * "page 3", "sheet Q1, rows 2–9", "0:12–0:40", from the citation fields search gives every hit.
 */
import type { EvidenceFields } from '../search'

type Located = Pick<EvidenceFields, 'filename' | 'page' | 'sheet' | 'rows' | 'start_time' | 'end_time'>

const clock = (seconds: number) => {
  const whole = Math.floor(seconds)
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`
}

/** A deck's pages are its slides. @example placeOf({ filename: 'q3.pdf', page: 3 }) // "page 3" */
export function placeOf(hit: Located): string {
  const parts: string[] = []
  if (hit.page !== null) parts.push(`${/\.pptx$/i.test(hit.filename) ? 'slide' : 'page'} ${hit.page}`)
  if (hit.sheet) parts.push(`sheet ${hit.sheet}`)
  if (hit.rows) parts.push(hit.rows[0] === hit.rows[1] ? `row ${hit.rows[0]}` : `rows ${hit.rows[0]}–${hit.rows[1]}`)
  if (hit.start_time !== undefined) parts.push(hit.end_time !== undefined ? `${clock(hit.start_time)}–${clock(hit.end_time)}` : clock(hit.start_time))
  return parts.join(', ')
}
