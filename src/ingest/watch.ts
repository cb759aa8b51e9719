/**
 * @module The port to `IngestWatch` (the Durable Object whose alarm runs the ingest sweep) and the
 * one way callers arm it. Kept apart from the object itself so the API Worker arms the watch without
 * bundling the sweep.
 */
import type { Deps } from '../deps'

export type IngestWatchPort = {
  /** Makes sure the watch's alarm is set; does nothing when it already is. */
  ensure(): Promise<void>
}

/** The one watch: the sweep it runs covers every file, so one object is enough. */
export const INGEST_WATCH_NAME = 'ingest'

/**
 * Arms the watch where ingestion work starts (an upload, each queue batch). The watch is a safety
 * net: when it cannot be reached the work goes on, and the next arming or the cron catches up.
 */
export async function armIngestWatch(deps: Pick<Deps, 'ingestWatch'>): Promise<void> {
  try {
    await deps.ingestWatch?.ensure()
  } catch (err) {
    console.warn('the ingest watch could not be armed', err)
  }
}
