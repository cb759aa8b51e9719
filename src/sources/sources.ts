/**
 * @module Connecting, listing, syncing on demand and disconnecting a workspace's sources. Readers of the
 * workspace see its sources; writers manage them. Settings are checked where they can be before anything
 * is stored (the binding exists, the bucket answers to its keys, the site is one Cairn may crawl), so a
 * source that is kept is one that can sync.
 */
import { and, asc, eq } from 'drizzle-orm'
import { newHexId } from '../db/ids'
import { files, sourceObjects, sources } from '../db/schema'
import { deleteFiles } from '../files/file-deletion'
import type { FileCaller } from '../files/access'
import { metadataFault } from '../files/metadata-limits'
import type { Ports } from '../ports'
import { DEFAULT_WORKSPACE } from '../tenancy/orgs'
import { SourceError, SourceSettingsError, sourceNotFound } from './errors'
import { keyFilter } from './key-filter'
import { sealSecret } from './secret-box'
import { checkS3Access, s3LocationOf } from './s3-access'
import type { SourceSettings } from './settings'
import type { SourceRow } from './source-object'
import { startSync } from './sync-start'
import { checkCrawlUrl } from './web/url-guard'
import { urlGuardOf } from './web/crawl-guard'

export type NewSource = {
  workspace: string | undefined
  name: string
  connection: SourceSettings
  metadata: Record<string, unknown>
  instructions: string | null
  syncEveryMinutes: number | null
}

type SourcePorts = Pick<Ports, 'db' | 'd1' | 'config' | 'ingestQueue' | 'sourceBuckets' | 'fetch'>

/** Checks what can be checked before the source is kept; throws a sentence naming the setting. */
async function checkConnection(deps: SourcePorts, connection: SourceSettings): Promise<void> {
  try {
    keyFilter(connection.settings.include, connection.settings.exclude)('')
  } catch (err) {
    throw new SourceSettingsError(`settings.include / settings.exclude: a glob does not compile (${err instanceof Error ? err.message : String(err)}).`, 'settings.include')
  }
  if (connection.type === 'r2') {
    if (!deps.sourceBuckets.has(connection.settings.binding)) {
      const bound = [...deps.sourceBuckets.keys()]
      throw new SourceSettingsError(
        `No R2 bucket is bound as "${connection.settings.binding}". ${bound.length ? `Bound for sources: ${bound.join(', ')}.` : 'None is bound for sources:'} Bind the bucket to both Workers (docs/sources.md) and deploy again.`,
        'settings.binding',
      )
    }
  } else if (connection.type === 's3') {
    await checkS3Access(s3LocationOf(connection.settings), { accessKeyId: connection.secret.access_key_id, secretAccessKey: connection.secret.secret_access_key, sessionToken: connection.secret.session_token }, deps.fetch)
  } else {
    const guard = urlGuardOf(deps.config, deps.fetch)
    await checkCrawlUrl(connection.settings.url, guard)
    if (connection.settings.sitemap_url) await checkCrawlUrl(connection.settings.sitemap_url, guard)
  }
}

/**
 * Connects a source to a workspace a writer names, and starts its first sync.
 * @example await connectSource(deps, caller, { workspace: 'legal', name: 'contracts', connection: { type: 'r2', settings }, … })
 */
export async function connectSource(deps: SourcePorts, caller: FileCaller, input: NewSource): Promise<SourceRow> {
  const workspaceId = input.workspace ?? DEFAULT_WORKSPACE
  await caller.authorize(workspaceId, 'writer')
  const taken = await deps.db.select({ id: sources.id }).from(sources).where(and(eq(sources.orgId, caller.orgId), eq(sources.workspaceId, workspaceId), eq(sources.name, input.name))).get()
  if (taken) throw new SourceError('conflict', `Workspace "${workspaceId}" already has a source named "${input.name}" (${taken.id}).`, 'name')
  const fault = metadataFault(input.metadata, 'metadata')
  if (fault) throw new SourceSettingsError(fault, 'metadata')
  await checkConnection(deps, input.connection)
  const id = newHexId('source')
  const sealedSecret = input.connection.type === 's3' ? await sealSecret(deps.config.sourceSecretsKey, id, input.connection.secret) : null
  const row: SourceRow = {
    id,
    orgId: caller.orgId,
    workspaceId,
    userId: caller.userId,
    name: input.name,
    type: input.connection.type,
    settings: JSON.stringify(input.connection.settings),
    sealedSecret,
    metadata: JSON.stringify(input.metadata),
    instructions: input.instructions,
    syncEveryMinutes: input.syncEveryMinutes,
    status: 'idle',
    statusDetails: null,
    syncId: null,
    syncCursor: null,
    syncStartedAt: null,
    syncProgressAt: null,
    lastSyncedAt: null,
    nextSyncAt: null,
    added: 0,
    updated: 0,
    removed: 0,
    failed: 0,
    unchanged: 0,
    createdAt: Math.floor(Date.now() / 1000),
  }
  await deps.db.insert(sources).values(row)
  return (await startSync(deps, row)) ?? row
}

/** The workspace's sources, oldest first. */
export async function listSources(deps: Pick<Ports, 'db'>, caller: FileCaller, workspace: string | undefined): Promise<SourceRow[]> {
  const workspaceId = workspace ?? DEFAULT_WORKSPACE
  await caller.authorize(workspaceId, 'reader')
  return deps.db.select().from(sources).where(and(eq(sources.orgId, caller.orgId), eq(sources.workspaceId, workspaceId))).orderBy(asc(sources.createdAt), asc(sources.id)).all()
}

/** The source, if the caller may act on it at `needed`; another org's source does not exist. */
export async function openSource(deps: Pick<Ports, 'db'>, caller: FileCaller, sourceId: string, needed: 'reader' | 'writer'): Promise<SourceRow> {
  const row = await deps.db.select().from(sources).where(and(eq(sources.id, sourceId), eq(sources.orgId, caller.orgId))).get()
  if (!row) throw sourceNotFound(sourceId)
  await caller.authorize(row.workspaceId, needed)
  return row
}

/** Starts a sync now; a sync already running is a conflict (its progress is on the source). */
export async function syncNow(deps: SourcePorts, caller: FileCaller, sourceId: string): Promise<SourceRow> {
  const row = await openSource(deps, caller, sourceId, 'writer')
  const started = await startSync(deps, row)
  if (!started) throw new SourceError('conflict', `Source "${row.name}" is already syncing; its progress is on GET /sources/${row.id}.`)
  return started
}

/**
 * Disconnects a source. Its files stay, as ordinary files, unless `deleteItsFiles`; a sync still in
 * flight finds no source and stops.
 */
export async function disconnectSource(deps: Pick<Ports, 'db' | 'index' | 'blobs' | 'vectors'>, caller: FileCaller, sourceId: string, deleteItsFiles: boolean): Promise<{ id: string; filesDeleted: number }> {
  const row = await openSource(deps, caller, sourceId, 'writer')
  await deps.db.batch([deps.db.delete(sources).where(eq(sources.id, row.id)), deps.db.delete(sourceObjects).where(eq(sourceObjects.sourceId, row.id))])
  let filesDeleted = 0
  if (deleteItsFiles) {
    const theirs = await deps.db.select({ id: files.id }).from(files).where(eq(files.sourceId, row.id)).all()
    filesDeleted = await deleteFiles(deps, theirs.map((f) => f.id), { actor: caller.actor, reason: 'source_disconnected' })
  } else {
    await deps.db.update(files).set({ sourceId: null }).where(eq(files.sourceId, row.id))
  }
  return { id: row.id, filesDeleted }
}
