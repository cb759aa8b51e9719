import { describe, expect, it } from 'vitest'
import { allowedFrom, FILE_STATUSES, FILE_TRANSITIONS, nextStatus, type FileEvent, type FileStatus } from './file-status'

const EVENTS = Object.keys(FILE_TRANSITIONS) as FileEvent[]

/** Every (status, event) pair and where it leads; null is refused. Written out, so a changed rule shows here. */
const EXPECTED: Record<FileStatus, Record<FileEvent, FileStatus | null>> = {
  uploaded: { start: 'processing', heartbeat: 'uploaded', 'store-part': null, complete: null, fail: 'error', requeue: 'uploaded' },
  processing: { start: 'processing', heartbeat: 'processing', 'store-part': 'processing', complete: 'processed', fail: 'error', requeue: 'processing' },
  processed: { start: null, heartbeat: null, 'store-part': null, complete: null, fail: 'error', requeue: null },
  error: { start: null, heartbeat: null, 'store-part': null, complete: null, fail: null, requeue: null },
}

describe('the file status machine', () => {
  for (const from of FILE_STATUSES) {
    for (const event of EVENTS) {
      const to = EXPECTED[from][event]
      it(`${from} --${event}--> ${to ?? 'refused'}`, () => {
        expect(nextStatus(from, event)).toBe(to)
      })
    }
  }

  it('the happy path: uploaded → processing → processed', () => {
    const path = (['start', 'store-part', 'heartbeat', 'complete'] as FileEvent[]).reduce<FileStatus | null>((s, e) => (s === null ? null : nextStatus(s, e)), 'uploaded')
    expect(path).toBe('processed')
  })

  it('an ended file never moves again, except a processed one failing on a dead letter', () => {
    for (const event of EVENTS) expect(nextStatus('error', event), event).toBeNull()
    expect(EVENTS.filter((e) => nextStatus('processed', e) !== null)).toEqual(['fail'])
  })

  it('nothing goes back to uploaded', () => {
    for (const from of FILE_STATUSES) for (const event of EVENTS) if (from !== 'uploaded') expect(nextStatus(from, event)).not.toBe('uploaded')
  })
})

describe('the SQL guards come from the same table', () => {
  it('writes the statuses a move may start from', () => {
    expect(allowedFrom('start')).toBe("status IN ('uploaded', 'processing')")
    expect(allowedFrom('store-part')).toBe("status IN ('processing')")
    expect(allowedFrom('fail')).toBe("status IN ('uploaded', 'processing', 'processed')")
    expect(allowedFrom('requeue', 'f.status')).toBe("f.status IN ('uploaded', 'processing')")
  })

  it('storing a part and completing the file share one guard, as their one UPDATE needs', () => {
    expect(FILE_TRANSITIONS.complete.from).toEqual(FILE_TRANSITIONS['store-part'].from)
  })

  it('every guard names only real statuses', () => {
    for (const event of EVENTS) for (const s of FILE_TRANSITIONS[event].from) expect(FILE_STATUSES).toContain(s)
  })
})
