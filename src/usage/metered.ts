/**
 * @module Work whose model calls count as usage: it runs on models that report to a meter of its own,
 * and what they spent is recorded against its owner when it ends, whether it succeeded or not.
 */
import type { Models } from '../models/ports'
import { UsageMeter } from '../models/usage'
import { meterMeasures } from './measures'
import { recordUsage, type UsageOwner } from './record'

/**
 * `defer` takes the recording when it need not hold up the work's answer (a search, whose response
 * can go before its usage is written); by default the work waits for it.
 * @example const hits = await meteredWork(deps, { orgId, userId, workspaceId }, (d) => searchWorkspace(d, request))
 */
export async function meteredWork<D extends { models: Models; d1: D1Database }, T>(
  deps: D,
  owner: UsageOwner,
  work: (deps: D) => Promise<T>,
  defer?: (recording: Promise<void>) => void,
): Promise<T> {
  const meter = new UsageMeter()
  try {
    return await work({ ...deps, models: deps.models.metered(meter) })
  } finally {
    // Nothing spent (no models configured, or keyword search only) writes nothing.
    const recording = recordUsage(deps.d1, owner, meterMeasures(meter))
    if (defer) defer(recording)
    else await recording
  }
}
