/**
 * @module The port to `IngestWatch` (the Durable Object whose alarm runs the ingest sweep) and the
 * one way callers arm it. Kept apart from the object itself so the API Worker arms the watch without
 * bundling the sweep.
 */

export type IngestWatchPort = {
  /** Makes sure the watch's alarm is set; does nothing when it already is. */
  ensure(): Promise<void>
}

/** The one watch: the sweep it runs covers every file, so one object is enough. */
export const INGEST_WATCH_NAME = 'ingest'

/**
 * How long arming may take. A Durable Object serves one call at a time: while its alarm sweeps, an
 * `ensure()` waits behind the sweep, and a queue batch must not wait with it.
 */
export const ARM_TIMEOUT_MS = 2_000

/**
 * Arms the watch where ingestion work starts (an upload, each queue batch). The watch is a safety
 * net: when it cannot be reached, or does not answer within ARM_TIMEOUT_MS, the work goes on, and
 * the next arming or the cron catches up.
 */
export async function armIngestWatch(deps: { ingestWatch: IngestWatchPort | null }): Promise<void> {
  if (!deps.ingestWatch) return
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ARM_TIMEOUT_MS)))
  try {
    const outcome = await Promise.race([deps.ingestWatch.ensure(), late])
    if (outcome === 'late') console.warn(`the ingest watch did not answer within ${ARM_TIMEOUT_MS} ms; ingestion goes on`)
  } catch (err) {
    console.warn('the ingest watch could not be armed', err)
  } finally {
    clearTimeout(timer)
  }
}
