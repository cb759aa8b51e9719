/**
 * @module R2 event notifications for R2 sources (deployed): a bucket's notification rule sends each
 * object created or deleted to the `cairn-source-events` queue, and this applies it to every R2 source
 * reading that bucket (`settings.bucket_name`) — a new or overwritten object is indexed within the
 * queue's batch delay, a deleted one leaves the index. The scheduled listing diff stays the net for
 * anything a notification missed. Local runs have no notifications; the listing diff alone serves.
 */
import { and, eq, sql } from 'drizzle-orm'
import { sources } from '../db/schema'
import type { Ports } from '../ports'
import { keyFilter } from './key-filter'
import { bucketReaderOf } from './readers'
import type { R2Settings } from './settings'
import { forgetObject, indexObject, knownObjects } from './source-files'
import type { SourceRow } from './source-object'

/** The body R2 puts on the queue (developers.cloudflare.com/r2/buckets/event-notifications). */
export type R2EventMessage = {
  account: string
  bucket: string
  object: { key: string; size?: number; eTag?: string }
  action: 'PutObject' | 'CopyObject' | 'CompleteMultipartUpload' | 'DeleteObject' | 'LifecycleDeletion' | string
  eventTime: string
}

const DELETIONS = new Set(['DeleteObject', 'LifecycleDeletion'])

/** What one event did to one source. */
export type EventOutcome = 'added' | 'updated' | 'failed' | 'removed' | 'unchanged' | 'ignored'

async function applyToSource(deps: Ports, source: SourceRow, event: R2EventMessage): Promise<EventOutcome> {
  const settings = JSON.parse(source.settings) as R2Settings
  const key = event.object.key
  if (!key.startsWith(settings.prefix) || !keyFilter(settings.include, settings.exclude)(key)) return 'ignored'
  // Marked as seen by the source's current (or last) sync, so the next listing diff agrees with it.
  const seen = source.syncId ?? 'event'
  const previous = (await knownObjects(deps, source.id, [key])).get(key)
  if (DELETIONS.has(event.action)) {
    if (!previous) return 'ignored'
    await forgetObject(deps, source.id, key, previous)
    return 'removed'
  }
  const read = await (await bucketReaderOf(deps, source)).read(key)
  if (!read) return 'ignored'
  if (previous?.present && previous.version === read.etag) return 'unchanged'
  return indexObject(deps, source, seen, { key, version: read.etag, bytes: read.bytes, origin: { key } }, previous)
}

/** Applies one notification to every R2 source of its bucket; returns what it did to each. */
export async function applyBucketEvent(deps: Ports, event: R2EventMessage): Promise<EventOutcome[]> {
  const readers = await deps.db
    .select()
    .from(sources)
    .where(and(eq(sources.type, 'r2'), sql`json_extract(${sources.settings}, '$.bucket_name') = ${event.bucket}`))
    .all()
  const outcomes: EventOutcome[] = []
  for (const source of readers) outcomes.push(await applyToSource(deps, source, event))
  return outcomes
}

/** The consumer of `cairn-source-events`: a failure is retried by the queue; the listing diff catches what is dropped. */
export async function consumeBucketEvents(batch: MessageBatch<R2EventMessage>, deps: Ports): Promise<void> {
  for (const message of batch.messages) {
    try {
      await applyBucketEvent(deps, message.body)
      message.ack()
    } catch (err) {
      console.error(`R2 event ${message.body.action} ${message.body.bucket}/${message.body.object?.key} attempt ${message.attempts} failed`, err)
      message.retry({ delaySeconds: 10 })
    }
  }
}
