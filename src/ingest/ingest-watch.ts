/**
 * @module IngestWatch: the Durable Object that runs the ingest sweep without cron triggers, which
 * `wrangler dev` never fires. One object, armed by `ensure()` wherever ingestion work starts; its
 * alarm sweeps every `WATCH_INTERVAL_MS` and sets itself again only while a file is `uploaded` or
 * `processing` or a source syncs — or, for a source's next scheduled sync, wakes at its time — so an
 * idle Cairn costs nothing. The alarm is stored with the object: one set before
 * the runtime stopped fires when it starts again on the same state, and recovers what was lost.
 *
 * The class is abstract: the ingest Worker's entry (workers/ingest/index.ts) exports the object, with
 * the ports its composition root builds.
 */
import { DurableObject } from 'cloudflare:workers'
import { nextExpiry, sweepExpiredFiles } from '../files/expiry'
import { nextSourceWake, sweepSources } from '../sources/schedule'
import { ingestionInFlight, sweepStalledFiles, type SweepDeps } from './sweeper'
import type { IngestWatchPort } from './watch'
import type { Ports } from '../ports'

/** Between sweeps while files are in flight; small beside the stall threshold (at least 60 s). */
export const WATCH_INTERVAL_MS = 30_000

export abstract class IngestWatchObject extends DurableObject<Env> implements IngestWatchPort {
  async ensure(): Promise<void> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + WATCH_INTERVAL_MS)
  }

  override async alarm(): Promise<void> {
    const deps = this.sweepPorts()
    try {
      await sweepStalledFiles(deps)
    } catch (err) {
      // The watch must outlive a failed sweep: the next round tries again.
      console.error('ingest sweep failed', err)
    }
    try {
      await sweepSources(deps)
    } catch (err) {
      console.error('source sweep failed', err)
    }
    try {
      await sweepExpiredFiles(deps)
    } catch (err) {
      console.error('expiry sweep failed', err)
    }
    const now = Date.now()
    const wakes = [
      (await ingestionInFlight(deps.d1)) ? now + WATCH_INTERVAL_MS : null,
      await nextSourceWake(deps, now, WATCH_INTERVAL_MS).catch(() => null),
      // At the next expiry, but no sooner than the interval: a sweep that could not delete does not spin.
      await nextExpiry(deps).then((at) => (at === null ? null : Math.max(at, now + WATCH_INTERVAL_MS))).catch(() => null),
    ]
    const soonest = Math.min(...wakes.filter((t): t is number => t !== null))
    if (Number.isFinite(soonest)) await this.ctx.storage.setAlarm(soonest)
  }

  /** What the sweep works with, built by the Worker's composition root. */
  protected abstract sweepPorts(): SweepDeps & Pick<Ports, 'db' | 'blobs'>
}
