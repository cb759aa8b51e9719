/**
 * @module Work whose model calls count as usage: it runs on models that report to a meter of its own,
 * and what they spent is recorded against its owner when it ends, whether it succeeded or not.
 */
import type { Models } from '../models/ports'
import { UsageMeter } from '../models/usage'
import { meterMeasures } from './measures'
import { recordUsage, type UsageOwner } from './record'

/**
 * @example const hits = await meteredWork(deps, { orgId, userId, workspaceId }, (d) => searchWorkspace(d, request))
 */
export async function meteredWork<D extends { models: Models; d1: D1Database }, T>(deps: D, owner: UsageOwner, work: (deps: D) => Promise<T>): Promise<T> {
  const meter = new UsageMeter()
  try {
    return await work({ ...deps, models: deps.models.metered(meter) })
  } finally {
    // Nothing spent (no models configured, or keyword search only) writes nothing.
    await recordUsage(deps.d1, owner, meterMeasures(meter))
  }
}
