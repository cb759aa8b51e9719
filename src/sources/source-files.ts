/**
 * @module Turning what a source holds into files and back: an object or page becomes an ordinary file
 * (through the same checks and pipeline as an upload) carrying `metadata.source` and its key or URL;
 * a changed one replaces its file; a gone one takes its file with it. A file's id derives from the
 * source, the key and the version, so a sync retried after a crash finds the file it already stored
 * instead of storing a second.
 */
import { and, eq, inArray, sql } from 'drizzle-orm'
import { files, sourceObjects } from '../db/schema'
import { sha256Hex } from '../db/ids'
import { deleteFiles, type DeletionCause } from '../files/file-deletion'
import { checkUploads, storeUploads, UploadRefusedError } from '../files/upload'
import type { Ports } from '../ports'
import type { SourceRow } from './source-object'

/** What the sync knows of a key from earlier syncs. */
export type KnownObject = { version: string | null; fileId: string | null; state: string; validators: string | null; depth: number; seenSync: string; present: boolean }

export type Outcome = 'added' | 'updated' | 'failed'

/** D1 binds at most 100 parameters per statement. */
const PER_STATEMENT = 90

/** What earlier syncs recorded for these keys, and whether each one's file still exists (a user may have deleted it). */
export async function knownObjects(deps: Pick<Ports, 'db'>, sourceId: string, keys: string[]): Promise<Map<string, KnownObject>> {
  const known = new Map<string, KnownObject>()
  for (let i = 0; i < keys.length; i += PER_STATEMENT) {
    const rows = await deps.db
      .select({
        key: sourceObjects.key,
        version: sourceObjects.version,
        fileId: sourceObjects.fileId,
        state: sourceObjects.state,
        validators: sourceObjects.validators,
        depth: sourceObjects.depth,
        seenSync: sourceObjects.seenSync,
        present: sql<number>`${files.id} IS NOT NULL`,
      })
      .from(sourceObjects)
      .leftJoin(files, eq(files.id, sourceObjects.fileId))
      .where(and(eq(sourceObjects.sourceId, sourceId), inArray(sourceObjects.key, keys.slice(i, i + PER_STATEMENT))))
      .all()
    for (const { key, present, ...row } of rows) known.set(key, { ...row, present: present === 1 })
  }
  return known
}

/** Marks keys as seen by this sync without touching what was indexed for them. */
export async function markSeen(deps: Pick<Ports, 'db'>, sourceId: string, syncId: string, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += PER_STATEMENT) {
    await deps.db.update(sourceObjects).set({ seenSync: syncId }).where(and(eq(sourceObjects.sourceId, sourceId), inArray(sourceObjects.key, keys.slice(i, i + PER_STATEMENT))))
  }
}

/** The first 12 bytes of SHA-256 over the parts, in hex: the file id an object's version is stored under. */
async function derivedFileId(...parts: string[]): Promise<string> {
  return `file-${(await sha256Hex(parts.join('\u0000'))).slice(0, 24)}`
}

/** A key longer than a file name may be keeps its end, where the name and extension are. */
export function fileNameOf(key: string): string {
  return key.length <= 255 ? key : `…${key.slice(key.length - 254)}`
}

export type SourceItem = {
  key: string
  version: string
  bytes: Uint8Array
  /** The name whose extension says the format, when the key has none (a page's URL). */
  formatName?: string
  /** What the file's metadata says of where it came from: `{ key }` or `{ url }`. */
  origin: Record<string, string>
  /** Kept on the row for the next sync (a page's validators and links). */
  validators?: string | null
  depth?: number
}

type ObjectRecord = { key: string; version: string | null; fileId: string | null; state: string; note: string | null; validators?: string | null | undefined; depth?: number | undefined }

/** The statement recording a key as seen by this sync, with what was indexed for it. */
function recordStatement(deps: Pick<Ports, 'd1'>, sourceId: string, syncId: string, row: ObjectRecord): D1PreparedStatement {
  return deps.d1
    .prepare(
      `INSERT INTO source_objects (source_id, key, version, validators, file_id, state, seen_sync, depth, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(source_id, key) DO UPDATE SET version = excluded.version, validators = excluded.validators, file_id = excluded.file_id, state = excluded.state, seen_sync = excluded.seen_sync, note = excluded.note`,
    )
    .bind(sourceId, row.key, row.version, row.validators ?? null, row.fileId, row.state, syncId, row.depth ?? 0, row.note)
}

async function recordObject(deps: Pick<Ports, 'd1'>, sourceId: string, syncId: string, row: ObjectRecord) {
  await recordStatement(deps, sourceId, syncId, row).run()
}

/** A file removed because its source changed: the source's sync is the actor. */
const sourceChange = (sourceId: string): DeletionCause => ({ actor: { kind: 'system', name: `source:${sourceId}` }, reason: 'source_changed' })

/** Deletes a key's file, if it still has one; true when it had. */
async function dropFile(deps: Ports, sourceId: string, fileId: string | null): Promise<boolean> {
  return fileId !== null && (await deleteFiles(deps, [fileId], sourceChange(sourceId))) > 0
}

/**
 * Indexes objects (or pages) of the source as files, replacing the files of their previous versions;
 * the accepted ones are stored together, as one upload of many files is (one batch of rows, one batch
 * of messages). A file Cairn would refuse as an upload is recorded with the reason and counted as
 * failed; the sync goes on. Returns each item's outcome, in order.
 */
export async function indexObjects(deps: Ports, source: SourceRow, syncId: string, items: SourceItem[], known: Map<string, KnownObject>): Promise<Outcome[]> {
  const uploads = await Promise.all(items.map(async (item) => ({ name: fileNameOf(item.key), bytes: item.bytes, formatName: item.formatName, id: await derivedFileId(source.id, item.key, item.version) })))
  const outcomes: Outcome[] = []
  const accepted: number[] = []
  for (const [i, item] of items.entries()) {
    try {
      checkUploads([uploads[i]!], deps.config.maxFileBytes)
      accepted.push(i)
      outcomes.push(known.get(item.key)?.present ? 'updated' : 'added')
    } catch (err) {
      if (!(err instanceof UploadRefusedError)) throw err
      await recordObject(deps, source.id, syncId, { key: item.key, version: item.version, fileId: null, state: 'refused', note: err.problems[0]?.reason ?? err.message, validators: item.validators, depth: item.depth })
      await dropFile(deps, source.id, known.get(item.key)?.fileId ?? null)
      outcomes.push('failed')
    }
  }
  if (accepted.length === 0) return outcomes
  // A retried step finds the files it stored before it could record them, and does not store them twice.
  const ids = accepted.map((i) => uploads[i]!.id)
  const stored = new Set((await deps.db.select({ id: files.id }).from(files).where(inArray(files.id, ids)).all()).map((f) => f.id))
  const fresh = accepted.filter((i) => !stored.has(uploads[i]!.id))
  if (fresh.length) {
    const shared = { ...(JSON.parse(source.metadata) as Record<string, unknown>), source: source.name }
    await storeUploads(
      deps,
      { orgId: source.orgId, workspaceId: source.workspaceId, userId: source.userId, purpose: 'user_data', metadata: shared, instructions: source.instructions, sourceId: source.id },
      fresh.map((i) => ({ ...uploads[i]!, metadata: { ...shared, ...items[i]!.origin } })),
    )
  }
  await deps.d1.batch(
    accepted.map((i) => {
      const item = items[i]!
      return recordStatement(deps, source.id, syncId, { key: item.key, version: item.version, fileId: uploads[i]!.id, state: 'indexed', note: null, validators: item.validators, depth: item.depth })
    }),
  )
  const replaced = accepted.flatMap((i) => {
    const previous = known.get(items[i]!.key)?.fileId
    return previous && previous !== uploads[i]!.id ? [previous] : []
  })
  await deleteFiles(deps, replaced, sourceChange(source.id))
  return outcomes
}

/** Indexes one object or page (`indexObjects` for one). */
export async function indexObject(deps: Ports, source: SourceRow, syncId: string, item: SourceItem, previous: KnownObject | undefined): Promise<Outcome> {
  const known = new Map<string, KnownObject>(previous ? [[item.key, previous]] : [])
  return (await indexObjects(deps, source, syncId, [item], known))[0]!
}

/** Records a key that is not to be indexed (too big, disallowed, gone), dropping a file it had; true when one was dropped. */
export async function setAside(deps: Ports, sourceId: string, syncId: string, key: string, note: string, previous: KnownObject | undefined, state: 'refused' | 'skipped', depth?: number): Promise<boolean> {
  await recordObject(deps, sourceId, syncId, { key, version: null, fileId: null, state, note, depth })
  return dropFile(deps, sourceId, previous?.fileId ?? null)
}

/** Forgets a key gone from the source (an R2 deletion event): its file and its record. */
export async function forgetObject(deps: Ports, sourceId: string, key: string, previous: KnownObject): Promise<void> {
  await dropFile(deps, sourceId, previous.fileId)
  await deps.db.delete(sourceObjects).where(and(eq(sourceObjects.sourceId, sourceId), eq(sourceObjects.key, key)))
}

/**
 * What a finished sync leaves behind: keys it did not see are gone from the source, and take their
 * files; files of the source no key names (stored by a sync that stopped before recording them) go too.
 * Returns how many files were removed.
 */
export async function removeUnseen(deps: Ports, source: Pick<SourceRow, 'id'>, syncId: string): Promise<number> {
  let removed = 0
  for (;;) {
    const gone = await deps.db
      .select({ key: sourceObjects.key, fileId: sourceObjects.fileId })
      .from(sourceObjects)
      .where(and(eq(sourceObjects.sourceId, source.id), sql`${sourceObjects.seenSync} != ${syncId}`))
      .limit(PER_STATEMENT)
      .all()
    if (gone.length === 0) break
    removed += await deleteFiles(deps, gone.flatMap((g) => (g.fileId ? [g.fileId] : [])), sourceChange(source.id))
    await deps.db.delete(sourceObjects).where(and(eq(sourceObjects.sourceId, source.id), inArray(sourceObjects.key, gone.map((g) => g.key))))
  }
  const orphans = await deps.db
    .select({ id: files.id })
    .from(files)
    .where(and(eq(files.sourceId, source.id), sql`${files.id} NOT IN (SELECT file_id FROM source_objects WHERE source_id = ${source.id} AND file_id IS NOT NULL)`))
    .all()
  await deleteFiles(deps, orphans.map((f) => f.id), sourceChange(source.id))
  return removed
}
