/**
 * @module The file's status as a state machine: `uploaded → processing → processed | error`, with the
 * moves ingestion, the ingest sweep and the dead-letter queue make. Pure: `lifecycle.ts` writes each
 * move as one conditional UPDATE whose WHERE clause comes from this table, so a race only ever loses.
 */
import { FILE_STATUSES, type FileStatus } from '../db/schema'

export { FILE_STATUSES, type FileStatus }

/**
 * What can happen to a file. `stay` moves keep the status and only touch the row's clocks and
 * counters; they are guarded like the others, so an ended or deleted file is left as it is.
 */
export type FileEvent =
  /** The planning message starts; a redelivered one finds the file `processing` already. */
  | 'start'
  /** A message working on the file shows it is alive (progress_at). */
  | 'heartbeat'
  /** A part is stored and parts are still missing. */
  | 'store-part'
  /** The part that completes the file is stored. */
  | 'complete'
  /** The file cannot be indexed (damaged, dead-lettered, stalled too often); it keeps the first reason. */
  | 'fail'
  /** The ingest sweep claims a stalled file to queue its work again. */
  | 'requeue'

type Move = { from: readonly FileStatus[]; to: FileStatus | 'stay' }

const IN_FLIGHT: readonly FileStatus[] = ['uploaded', 'processing']

/** Every allowed move. Anything else is refused: the UPDATE matches no row and changes nothing. */
export const FILE_TRANSITIONS: Readonly<Record<FileEvent, Move>> = {
  start: { from: IN_FLIGHT, to: 'processing' },
  heartbeat: { from: IN_FLIGHT, to: 'stay' },
  'store-part': { from: ['processing'], to: 'stay' },
  complete: { from: ['processing'], to: 'processed' },
  // A dead letter can arrive after another delivery completed the file: it still ends in `error`.
  fail: { from: ['uploaded', 'processing', 'processed'], to: 'error' },
  requeue: { from: IN_FLIGHT, to: 'stay' },
}

/** The status a file in `from` has after `event`, or null when the move is not allowed. */
export function nextStatus(from: FileStatus, event: FileEvent): FileStatus | null {
  const move = FILE_TRANSITIONS[event]
  if (!move.from.includes(from)) return null
  return move.to === 'stay' ? from : move.to
}

/**
 * The SQL condition under which `event` may happen to a row, e.g. `status IN ('uploaded', 'processing')`.
 * @example `UPDATE files SET … WHERE id = ?1 AND ${allowedFrom('start')}`
 */
export function allowedFrom(event: FileEvent, column = 'status'): string {
  return `${column} IN (${FILE_TRANSITIONS[event].from.map((s) => `'${s}'`).join(', ')})`
}
