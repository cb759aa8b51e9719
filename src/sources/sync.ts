/**
 * @module A source's sync, message by message. Each message works for up to STEP_MS — a bucket is read
 * a listing page at a time and diffed against what earlier syncs recorded, by etag; a website is crawled
 * from its frontier (crawl.ts) — and saves where it stands after every page, then hands on to the next
 * message. A crash therefore resumes from the last saved page, and work redone is found unchanged.
 * When the listing (or the frontier) ends, keys the sync did not see are removed with their files.
 */
import { and, eq, sql } from 'drizzle-orm'
import { sourceObjects, sources } from '../db/schema'
import type { SyncSourceJob } from '../ingest/jobs'
import type { Ports } from '../ports'
import { crawlStep } from './crawl'
import { SourceError } from './errors'
import { keyFilter } from './key-filter'
import { bucketReaderOf } from './readers'
import type { R2Settings, S3Settings } from './settings'
import type { SourceRow } from './source-object'
import { indexObjects, knownObjects, markSeen, removeUnseen, setAside } from './source-files'
import { noCounts, saveProgress, type SyncCounts } from './sync-progress'
import type { BucketObject, BucketReader } from './bucket'

/** How long one message works before handing on: well inside a queue consumer's wall time. */
export const STEP_MS = 20_000
/** Objects per listing page: a page's diff is one query and its progress one write. */
export const LISTING_PAGE = 100
/** The cursor of a listing read to its end, so a finish that crashed is not read again from the top. */
export const LISTING_DONE = '\u0000done'

/** Objects read at once, and the bytes they may hold together: a handful of small files in flight, never a big one beside another. */
const READS_AT_ONCE = 8
const BYTES_AT_ONCE = 16 * 1024 * 1024

/** Groups objects to read together, within READS_AT_ONCE and BYTES_AT_ONCE (an object over the budget goes alone). */
function readGroups(objects: BucketObject[]): BucketObject[][] {
  const groups: BucketObject[][] = []
  let group: BucketObject[] = []
  let bytes = 0
  for (const object of objects) {
    if (group.length && (group.length >= READS_AT_ONCE || bytes + object.size > BYTES_AT_ONCE)) {
      groups.push(group)
      group = []
      bytes = 0
    }
    group.push(object)
    bytes += object.size
  }
  if (group.length) groups.push(group)
  return groups
}

/** Diffs one listing page against what earlier syncs recorded; reads and indexes what is new or changed. */
async function applyListing(deps: Ports, source: SourceRow, reader: BucketReader, objects: BucketObject[]): Promise<SyncCounts> {
  const syncId = source.syncId!
  const counts = noCounts()
  const known = await knownObjects(deps, source.id, objects.map((o) => o.key))
  const unchanged: string[] = []
  const toRead: BucketObject[] = []
  for (const object of objects) {
    const previous = known.get(object.key)
    if (previous && previous.version === object.etag && (previous.state === 'refused' || previous.present)) {
      unchanged.push(object.key)
    } else if (object.size > deps.config.maxFileBytes) {
      if (await setAside(deps, source.id, syncId, object.key, `the object is ${object.size} bytes, over the ${deps.config.maxFileBytes}-byte limit per file`, previous, 'refused')) counts.removed++
      counts.failed++
    } else {
      toRead.push(object)
    }
  }
  for (const group of readGroups(toRead)) {
    const reads = await Promise.all(group.map((o) => reader.read(o.key)))
    // An object deleted between the listing and the read is not seen, so the finish removes what it had.
    const items = group.flatMap((o, i) => (reads[i] ? [{ key: o.key, version: reads[i]!.etag, bytes: reads[i]!.bytes, origin: { key: o.key } }] : []))
    for (const outcome of await indexObjects(deps, source, syncId, items, known)) counts[outcome]++
  }
  await markSeen(deps, source.id, syncId, unchanged)
  counts.unchanged += unchanged.length
  return counts
}

/** Reads the bucket's listing from where the sync stands; true when it reached the end. */
async function bucketStep(deps: Ports, source: SourceRow, deadline: number): Promise<boolean> {
  if (source.syncCursor === LISTING_DONE) return true
  const reader = await bucketReaderOf(deps, source)
  const settings = JSON.parse(source.settings) as R2Settings | S3Settings
  const passes = keyFilter(settings.include, settings.exclude)
  let cursor = source.syncCursor
  for (;;) {
    const page = await reader.list(cursor, LISTING_PAGE)
    const counts = await applyListing(deps, source, reader, page.objects.filter((o) => passes(o.key)))
    cursor = page.cursor ?? LISTING_DONE
    if (!(await saveProgress(deps, source, cursor, counts))) return false
    if (cursor === LISTING_DONE) return true
    if (Date.now() > deadline) return false
  }
}

/** When a source on a schedule syncs next; null for one synced only when asked. */
const nextSyncAt = (everyMinutes: number | null, now: number) => (everyMinutes ? now + everyMinutes * 60_000 : null)

/** Ends the sync: removes what it did not see, says how it went, and schedules the next. */
async function finishSync(deps: Ports, source: SourceRow): Promise<void> {
  const removed = await removeUnseen(deps, source, source.syncId!)
  const refused = await deps.db
    .select({ key: sourceObjects.key, note: sourceObjects.note })
    .from(sourceObjects)
    .where(and(eq(sourceObjects.sourceId, source.id), eq(sourceObjects.seenSync, source.syncId!), eq(sourceObjects.state, 'refused')))
    .limit(3)
    .all()
  const now = Date.now()
  await deps.db
    .update(sources)
    .set({
      status: 'idle',
      statusDetails: refused.length ? `Not indexed: ${refused.map((r) => `${r.key} (${r.note})`).join('; ')}${refused.length === 3 ? '; …' : ''}.` : null,
      syncCursor: null,
      syncProgressAt: now,
      lastSyncedAt: now,
      nextSyncAt: nextSyncAt(source.syncEveryMinutes, now),
      removed: sql`${sources.removed} + ${removed}`,
    })
    .where(and(eq(sources.id, source.id), eq(sources.syncId, source.syncId!)))
}

/** Ends the sync in `error` with a sentence; what it indexed so far stays, nothing is removed. */
async function failSync(deps: Pick<Ports, 'db'>, sourceId: string, syncId: string, reason: string, syncEveryMinutes: number | null): Promise<void> {
  const now = Date.now()
  await deps.db
    .update(sources)
    .set({ status: 'error', statusDetails: reason, syncCursor: null, lastSyncedAt: now, nextSyncAt: nextSyncAt(syncEveryMinutes, now) })
    .where(and(eq(sources.id, sourceId), eq(sources.syncId, syncId)))
}

/** One message's share of a sync. A failure of the store itself ends the sync in `error`; anything else is retried. */
export async function syncSourceStep(deps: Ports, job: SyncSourceJob): Promise<void> {
  const source = await deps.db.select().from(sources).where(eq(sources.id, job.sourceId)).get()
  if (!source || source.syncId !== job.syncId || source.status !== 'syncing') return
  const deadline = Date.now() + STEP_MS
  try {
    const done = source.type === 'web' ? await crawlStep(deps, source, deadline) : await bucketStep(deps, source, deadline)
    // Restarted or disconnected meanwhile: this sync's marks are no longer the source's, so it must not finish.
    const current = await deps.db.select({ syncId: sources.syncId, status: sources.status }).from(sources).where(eq(sources.id, source.id)).get()
    if (!current || current.syncId !== job.syncId || current.status !== 'syncing') return
    if (done) await finishSync(deps, source)
    else await deps.ingestQueue.send({ kind: 'sync-source', sourceId: source.id, syncId: job.syncId } satisfies SyncSourceJob)
  } catch (err) {
    if (err instanceof SourceError) {
      await failSync(deps, source.id, job.syncId, err.message, source.syncEveryMinutes)
      return
    }
    throw err
  }
}

/** A sync whose messages exhausted their retries ends in `error`, saying so. */
export async function abandonSync(deps: Pick<Ports, 'db'>, job: SyncSourceJob): Promise<void> {
  const source = await deps.db.select({ every: sources.syncEveryMinutes }).from(sources).where(eq(sources.id, job.sourceId)).get()
  if (!source) return
  await failSync(deps, job.sourceId, job.syncId, 'The sync stopped after several attempts (a temporary failure kept recurring); what it indexed so far is kept. Sync again to go on.', source.every)
}
