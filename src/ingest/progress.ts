/**
 * @module A file's progress clock (`files.progress_at`): stamped when a message starts on the file,
 * every `HEARTBEAT_MS` while it works, and when a part finishes (in `storePart`'s batch). The ingest
 * sweep reads a file whose clock stopped as stalled: its message was lost or the runtime died under it.
 * The stamps themselves are the `heartbeat` move of files/lifecycle.ts.
 */
import { touchProgress } from '../files/lifecycle'

/** Often enough that a working message never looks stalled; the stall threshold is at least 60 s. */
export const HEARTBEAT_MS = 30_000

/**
 * Runs `work`, stamping the file every `HEARTBEAT_MS` meanwhile, so a part that takes minutes (many
 * vision calls, a long recording) is not taken for a stalled one and queued a second time.
 */
export async function withHeartbeat<T>(d1: D1Database, fileId: string, work: () => Promise<T>): Promise<T> {
  const beat = setInterval(() => {
    // A missed beat only makes the file look older; the next one, or the part's end, catches up.
    touchProgress(d1, fileId).catch((err) => console.warn(`progress of ${fileId} not stamped`, err))
  }, HEARTBEAT_MS)
  try {
    return await work()
  } finally {
    clearInterval(beat)
  }
}
