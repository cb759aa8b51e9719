/**
 * @module Stored chat completions (`store: true`), as OpenAI serves them: listing with cursors and
 * metadata filters, reading one and its request messages, replacing its metadata, deleting it. The
 * shapes and the documented routes are in completions-schemas.ts.
 */
import type { Context } from 'hono'
import { completionObject } from '../../completions/completion-object'
import { pageMessages } from '../../completions/messages'
import {
  deleteCompletion,
  findCompletion,
  listCompletions,
  MAX_METADATA_FILTERS,
  UnknownCursorError,
  updateCompletionMetadata,
  type CompletionMetadata,
  type StoredCompletion,
} from '../../completions/store'
import { DEFAULT_WORKSPACE } from '../../tenancy/orgs'
import { authorizeWorkspace } from '../../tenancy/workspace-access'
import { requireUser } from '../auth'
import { invalid, notFound } from '../errors'
import type { Access } from '../../db/schema'
import type { App, AppContext } from '../context'
import { resourceApp } from '../resource-app'
import { completionRoutes as routes, MAX_KEY_CHARS, MAX_VALUE_CHARS } from './completions-schemas'

/** A completion of the caller's org they may access at `needed`; another org's, or one outside the named workspace, is 404. */
async function authorizeCompletion(c: Context<AppContext>, id: string, workspace: string | undefined, needed: Access): Promise<StoredCompletion> {
  const user = requireUser(c)
  const { db, d1 } = c.get('deps')
  const stored = await findCompletion(d1, user.orgId, id)
  if (!stored || (workspace !== undefined && workspace !== stored.workspaceId)) {
    throw notFound(`No stored chat completion "${id}"${workspace ? ` in workspace "${workspace}"` : ''}. Only completions created with "store": true are kept.`, 'completion_id')
  }
  await authorizeWorkspace(db, user, stored.workspaceId, needed)
  return stored
}

/** The `metadata[key]=value` pairs of the query string, checked against the same limits as metadata itself. */
function metadataFilters(queries: Record<string, string[]>): CompletionMetadata {
  const filters: CompletionMetadata = {}
  for (const [name, values] of Object.entries(queries)) {
    if (name !== 'metadata' && !name.startsWith('metadata[')) continue
    const match = /^metadata\[([^\]]+)\]$/.exec(name)
    if (!match) throw invalid(`"${name}" is not a metadata filter; write metadata[key]=value, e.g. metadata[topic]=contracts.`, 'metadata')
    const key = match[1]!
    const param = `metadata[${key}]`
    if (key.length > MAX_KEY_CHARS) throw invalid(`${param}: keys are at most ${MAX_KEY_CHARS} characters.`, param)
    if (new Set(values).size > 1) throw invalid(`${param} is given ${values.length} different values; a completion has one value per key.`, param)
    if (values[0]!.length > MAX_VALUE_CHARS) throw invalid(`${param}: values are at most ${MAX_VALUE_CHARS} characters.`, param)
    filters[key] = values[0]!
  }
  if (Object.keys(filters).length > MAX_METADATA_FILTERS) throw invalid(`At most ${MAX_METADATA_FILTERS} metadata filters; this listing has ${Object.keys(filters).length}.`, 'metadata')
  return filters
}

const pageIds = (items: Array<{ id: string }>) => ({ first_id: items[0]?.id ?? null, last_id: items.at(-1)?.id ?? null })

function unknownCursor(err: unknown): never {
  if (err instanceof UnknownCursorError) throw invalid(`after: "${err.cursor}" is not in this listing; pass the last id of the previous page.`, 'after')
  throw err
}

export function completionRoutes(): App {
  const app = resourceApp()
  app.openapi(routes.list, async (c) => {
    const user = requireUser(c)
    const q = c.req.valid('query')
    const workspaceId = q.workspace ?? DEFAULT_WORKSPACE
    const { db, d1 } = c.get('deps')
    await authorizeWorkspace(db, user, workspaceId, 'reader')
    const metadata = metadataFilters(c.req.queries())
    const page = await listCompletions(d1, { orgId: user.orgId, workspaceId, after: q.after, limit: q.limit, order: q.order, model: q.model, metadata }).catch(unknownCursor)
    const data = page.completions.map(completionObject)
    return c.json({ object: 'list' as const, data, ...pageIds(data), has_more: page.hasMore }, 200)
  })

  app.openapi(routes.get, async (c) => {
    const stored = await authorizeCompletion(c, c.req.valid('param').completion_id, c.req.valid('query').workspace, 'reader')
    return c.json(completionObject(stored), 200)
  })

  app.openapi(routes.update, async (c) => {
    const stored = await authorizeCompletion(c, c.req.valid('param').completion_id, c.req.valid('query').workspace, 'writer')
    const { metadata } = c.req.valid('json')
    const updated = await updateCompletionMetadata(c.get('deps').d1, stored.orgId, stored.id, metadata)
    if (!updated) throw notFound(`No stored chat completion "${stored.id}"; it was deleted meanwhile.`, 'completion_id')
    return c.json(completionObject(updated), 200)
  })

  app.openapi(routes.delete, async (c) => {
    const stored = await authorizeCompletion(c, c.req.valid('param').completion_id, c.req.valid('query').workspace, 'writer')
    await deleteCompletion(c.get('deps').d1, stored.orgId, stored.id)
    return c.json({ id: stored.id, object: 'chat.completion.deleted' as const, deleted: true as const }, 200)
  })

  app.openapi(routes.messages, async (c) => {
    const q = c.req.valid('query')
    const stored = await authorizeCompletion(c, c.req.valid('param').completion_id, q.workspace, 'reader')
    let page
    try {
      page = pageMessages(stored.id, stored.messages, { after: q.after, limit: q.limit, order: q.order })
    } catch (err) {
      unknownCursor(err)
    }
    return c.json({ object: 'list' as const, data: page.messages, ...pageIds(page.messages), has_more: page.hasMore }, 200)
  })
  return app
}
