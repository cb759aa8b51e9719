/**
 * @module The Files API: multipart upload (one file → OpenAI's file object, several → L0's array),
 * listing, reading, the original bytes, metadata updates, and deletion of everything derived.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { and, asc, desc, eq, gt, lt, sql, type SQL } from 'drizzle-orm'
import type { Context } from 'hono'
import { files } from '../../db/schema'
import { compileToSql, FilterSyntaxError, parseFilter, tableColumns } from '../../filter'
import { fileObject, MAX_METADATA_BYTES, type FileRow } from '../../files/file-object'
import { deleteFiles } from '../../files/file-deletion'
import { metadataFault } from '../../files/metadata-limits'
import { JSON_LIMITS, jsonTextDepth, metadataTooDeep } from '../../json-limits'
import { MAX_FILES_PER_UPLOAD, storeUploads, UploadRefusedError, type Upload } from '../../files/upload'
import { MAX_INSTRUCTIONS_LENGTH, newExtractionRequest } from '../../ingest/metadata-extraction'
import { queueMetadataExtraction } from '../../ingest/metadata-extraction-job'
import { pagePicture } from '../../ingest/perception/page-pictures'
import { DEFAULT_WORKSPACE } from '../../tenancy/orgs'
import { authorizeWorkspace } from '../../tenancy/workspace-access'
import { requireUser } from '../auth'
import { ApiError, invalid, notFound } from '../errors'
import { bearerSecurity, errorResponses, WorkspaceId } from '../schemas'
import type { Access } from '../../db/schema'
import type { App, AppContext } from '../context'

const FileObject = z
  .object({
    id: z.string(),
    object: z.literal('file'),
    bytes: z.number(),
    created_at: z.number(),
    filename: z.string(),
    purpose: z.string(),
    status: z.enum(['uploaded', 'processing', 'processed', 'error']),
    status_details: z.string().nullable(),
    expires_at: z.number().nullable(),
    org_id: z.string(),
    workspace_id: z.string(),
    user_id: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    progress: z.object({ pages_done: z.number(), pages_total: z.number().nullable(), chunks: z.number() }),
    perception: z
      .object({
        pages_rendered: z.number().openapi({ description: 'PDF pages drawn to PNG at ingestion for the vision model, and kept (others are drawn when looked at)' }),
        pages_seen: z.number().openapi({ description: 'Pages (or slides, for their pictures) the vision model read: scans, figures, charts, diagrams' }),
        page_budget: z.number().nullable().openapi({ description: 'Pages the vision model may read in this file (VISION_PAGES_PER_FILE; 0 without a vision model)' }),
        skipped: z.number().openapi({ description: 'Pages that needed the vision model but were over the budget or had no model' }),
      })
      .nullable()
      .openapi({ description: 'PDFs and slide decks only: what the page (slide) pictures gave' }),
    perception_usage: z
      .object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number(), audio_seconds: z.number() })
      .openapi({ description: 'Vision and speech model use spent reading this file' }),
    metadata_extraction: z
      .object({
        status: z.enum(['pending', 'done', 'failed']),
        instructions: z.string(),
        details: z.string().nullable().openapi({ description: 'A sentence: which keys were set, or why none were' }),
        keys: z.array(z.string()).openapi({ description: 'The metadata keys the model set' }),
        usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number(), total_tokens: z.number() }).nullable(),
        requested_at: z.number().nullable(),
        finished_at: z.number().nullable(),
      })
      .nullable()
      .openapi({ description: 'The latest `instructions` (at upload or in a metadata update) and how applying them went; null when none were given' }),
  })
  .openapi('File')

const FilePart = z.any().openapi({ type: 'string', format: 'binary' })
const UploadForm = z.object({
  file: z.union([FilePart, z.array(FilePart)]).openapi({ description: 'One or more files (repeat the field)' }),
  purpose: z.string().min(1).max(64).optional().openapi({ example: 'user_data' }),
  metadata: z
    .string()
    .max(MAX_METADATA_BYTES)
    .optional()
    .openapi({ description: `A JSON object, as a string, applied to every file: at most ${MAX_METADATA_BYTES / 1024} KB and ${JSON_LIMITS.metadataDepth} levels of nesting (the object itself counting as one)` }),
  instructions: z
    .string()
    .max(MAX_INSTRUCTIONS_LENGTH)
    .optional()
    .openapi({ description: 'What metadata the reasoning model should set from each file\'s content once it is processed, e.g. "extract the author and year"; see `metadata_extraction`' }),
  workspace: WorkspaceId.optional(),
})
const WorkspaceQuery = z.object({ workspace: WorkspaceId.optional() })
const FileIdParam = z.object({ file_id: z.string().min(1).max(100) })
const json = <T extends z.ZodType>(schema: T) => ({ 'application/json': { schema } })

const routes = {
  upload: createRoute({
    method: 'post',
    path: '/files',
    tags: ['Files'],
    summary: 'Upload files',
    description: `Multipart. One \`file\` part answers with the file object (OpenAI), several with an array (L0). All or nothing: if any file is empty, of an unsupported type or too large, nothing is stored and the 422 names each. At most ${MAX_FILES_PER_UPLOAD} files.`,
    security: bearerSecurity,
    request: { body: { required: true, content: { 'multipart/form-data': { schema: UploadForm } } } },
    responses: { 200: { description: 'The stored files, status `uploaded`', content: json(z.union([FileObject, z.array(FileObject)])) }, ...errorResponses(401, 403, 404, 422) },
  }),
  list: createRoute({
    method: 'get',
    path: '/files',
    tags: ['Files'],
    summary: 'List files',
    security: bearerSecurity,
    request: {
      query: WorkspaceQuery.extend({
        after: z.string().max(100).optional().openapi({ description: 'Cursor: the id of the last file of the previous page' }),
        limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
        order: z.enum(['asc', 'desc']).default('desc'),
        purpose: z.string().max(64).optional(),
        metadata: z.string().optional().openapi({
          description:
            'A filter expression (see the filter language in the docs), e.g. `metadata.author == "hegel" and bytes > 1000`. An empty or blank expression is a 422; leave the parameter out to list every file.',
        }),
      }),
    },
    responses: {
      200: { description: 'The files', content: json(z.object({ data: z.array(FileObject), object: z.literal('list'), total: z.number(), has_more: z.boolean() })) },
      ...errorResponses(401, 403, 404, 422),
    },
  }),
  get: createRoute({
    method: 'get',
    path: '/files/{file_id}',
    tags: ['Files'],
    summary: 'Get a file',
    security: bearerSecurity,
    request: { params: FileIdParam, query: WorkspaceQuery },
    responses: { 200: { description: 'The file', content: json(FileObject) }, ...errorResponses(401, 403, 404, 422) },
  }),
  content: createRoute({
    method: 'get',
    path: '/files/{file_id}/content',
    tags: ['Files'],
    summary: "A file's original bytes",
    security: bearerSecurity,
    request: { params: FileIdParam, query: WorkspaceQuery },
    responses: { 200: { description: 'The bytes, with their content type' }, ...errorResponses(401, 403, 404, 422) },
  }),
  pageImage: createRoute({
    method: 'get',
    path: '/files/{file_id}/pages/{page}/image',
    tags: ['Files'],
    summary: 'A PDF page as a PNG',
    description:
      'The picture of one page (1-based) of a PDF, as the vision model sees it: the one kept since ingestion or an earlier look, else drawn now (pages with a scan or figure at 144 dpi, pages of text at 72 dpi, the long side at most 1,568 px) and kept. For showing the page a citation points to. 404 `page_not_found` for a page the PDF does not have; 422 `not_a_pdf`, or `page_not_drawable` when PDFium cannot draw it; 503 `page_renderer_unavailable` when the ingest Worker cannot be reached.',
    security: bearerSecurity,
    request: { params: FileIdParam.extend({ page: z.coerce.number().int().min(1).max(1_000_000).openapi({ example: 3 }) }), query: WorkspaceQuery },
    responses: { 200: { description: 'The page, `image/png`' }, ...errorResponses(401, 403, 404, 422, 503) },
  }),
  patchMetadata: createRoute({
    method: 'patch',
    path: '/files/{file_id}/metadata',
    tags: ['Files'],
    summary: "Update a file's metadata",
    description:
      `Shallow merge; a \`null\` value removes that key. The merged metadata may be at most ${MAX_METADATA_BYTES / 1024} KB as JSON and ${JSON_LIMITS.metadataDepth} levels deep (the object itself counting as one); beyond either, 422 naming \`metadata\`. The key \`instructions\` (a string) is not stored: it asks the reasoning model to read the file and set metadata keys from its content. The other keys are merged at once; the model's keys arrive later (after the file is processed, if it is not yet), never overwriting keys of the same request. \`metadata_extraction\` on the file shows \`pending\`, then \`done\` or \`failed\` with a sentence. 422 \`model_not_configured\` when no reasoning model is configured.`,
    security: bearerSecurity,
    request: { params: FileIdParam, query: WorkspaceQuery, body: { required: true, content: json(z.record(z.string(), z.unknown())) } },
    responses: { 200: { description: 'The file', content: json(FileObject) }, ...errorResponses(401, 403, 404, 422) },
  }),
  delete: createRoute({
    method: 'delete',
    path: '/files/{file_id}',
    tags: ['Files'],
    summary: 'Delete a file and everything derived from it',
    security: bearerSecurity,
    request: { params: FileIdParam, query: WorkspaceQuery },
    responses: {
      200: { description: 'Deleted', content: json(z.object({ id: z.string(), object: z.literal('file'), deleted: z.literal(true) })) },
      ...errorResponses(401, 403, 404, 422),
    },
  }),
}

/** A file of the caller's org they may access at `needed`; another org's file, or one outside the named workspace, is 404. */
async function authorizeFile(c: Context<AppContext>, fileId: string, workspace: string | undefined, needed: Access): Promise<FileRow> {
  const user = requireUser(c)
  const { db } = c.get('deps')
  const row = await db.select().from(files).where(and(eq(files.id, fileId), eq(files.orgId, user.orgId))).get()
  if (!row || (workspace !== undefined && workspace !== row.workspaceId)) throw notFound(`No file "${fileId}"${workspace ? ` in workspace "${workspace}"` : ''}.`, 'file_id')
  await authorizeWorkspace(db, user, row.workspaceId, needed)
  return row
}

const FILE_COLUMNS = tableColumns('files')

/** The `metadata` filter of a listing as a WHERE condition; its one bound parameter carries every value. */
function fileFilter(expression: string): SQL {
  let compiled
  try {
    compiled = compileToSql(parseFilter(expression), FILE_COLUMNS)
  } catch (err) {
    if (err instanceof FilterSyntaxError) throw invalid(err.message, 'metadata', 'invalid_filter')
    throw err
  }
  const pieces = compiled.sql.split('?')
  if (pieces.length !== 2 || compiled.params.length !== 1) throw new Error('a compiled filter binds exactly one parameter')
  const [before, after] = pieces as [string, string]
  return sql.join([sql.raw(before), sql`${compiled.params[0]}`, sql.raw(after)])
}

/** The `instructions` of a metadata update as a new request for the column, or the 422 that says why it cannot run. */
function extractionRequest(row: FileRow, instructions: unknown, keep: string[], reasoningConfigured: boolean): string {
  if (typeof instructions !== 'string' || instructions.trim() === '' || instructions.length > MAX_INSTRUCTIONS_LENGTH) {
    throw invalid(`instructions must be a non-empty string of at most ${MAX_INSTRUCTIONS_LENGTH.toLocaleString('en-US')} characters, e.g. "extract the author and year".`, 'instructions')
  }
  if (!reasoningConfigured) {
    throw invalid(
      "instructions: cannot update metadata from the file's content: no reasoning model is configured (set MODEL_PROVIDER and REASONING_MODEL). Send the metadata keys themselves instead.",
      'instructions',
      'model_not_configured',
    )
  }
  if (row.status === 'error') {
    throw invalid(`instructions: "${row.id}" could not be processed, so there is no content to read. Upload it again, then send the instructions.`, 'instructions', 'file_not_processed')
  }
  return JSON.stringify(newExtractionRequest(instructions, keep, true))
}

function parseMetadataField(value: string | undefined): Record<string, unknown> {
  if (value === undefined || value.trim() === '') return {}
  if (jsonTextDepth(value, JSON_LIMITS.metadataDepth) > JSON_LIMITS.metadataDepth) throw invalid(metadataTooDeep('metadata'), 'metadata')
  let parsed: unknown
  try {
    parsed = JSON.parse(value)
  } catch {
    throw invalid('metadata must be a JSON object written as a string, e.g. {"author": "hegel"}.', 'metadata')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('metadata must be a JSON object, e.g. {"author": "hegel"}.', 'metadata')
  const fault = metadataFault(parsed as Record<string, unknown>, 'metadata')
  if (fault) throw invalid(fault, 'metadata')
  return parsed as Record<string, unknown>
}

async function collectUploads(form: z.infer<typeof UploadForm>): Promise<Upload[]> {
  const parts = Array.isArray(form.file) ? form.file : [form.file]
  if (parts.some((p) => !(p instanceof File))) throw invalid('Each "file" field must be a file (multipart with a filename), not a text value.', 'file')
  if (parts.length > MAX_FILES_PER_UPLOAD) throw invalid(`At most ${MAX_FILES_PER_UPLOAD} files per upload; this one has ${parts.length}.`, 'file')
  return Promise.all((parts as File[]).map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })))
}

export function registerFileRoutes(app: App): void {
  app.openapi(routes.upload, async (c) => {
    const user = requireUser(c)
    const form = c.req.valid('form')
    const workspaceId = form.workspace ?? DEFAULT_WORKSPACE
    const deps = c.get('deps')
    await authorizeWorkspace(deps.db, user, workspaceId, 'writer')
    const metadata = parseMetadataField(form.metadata)
    const uploads = await collectUploads(form)
    try {
      const rows = await storeUploads(
        deps,
        { orgId: user.orgId, workspaceId, userId: user.userId, purpose: form.purpose ?? 'user_data', metadata, instructions: form.instructions ?? null },
        uploads,
      )
      const objects = rows.map(fileObject)
      return c.json(Array.isArray(form.file) ? objects : objects[0]!, 200)
    } catch (err) {
      if (err instanceof UploadRefusedError) {
        const names = err.problems.map((p) => `"${p.filename}": ${p.reason}`).join('; ')
        throw new ApiError(422, `Nothing was stored. ${err.problems.length === 1 ? 'This file was' : 'These files were'} refused: ${names}.`, 'invalid_file', 'file')
      }
      throw err
    }
  })

  app.openapi(routes.list, async (c) => {
    const user = requireUser(c)
    const q = c.req.valid('query')
    const workspaceId = q.workspace ?? DEFAULT_WORKSPACE
    const { db } = c.get('deps')
    await authorizeWorkspace(db, user, workspaceId, 'reader')
    const scope: SQL[] = [eq(files.orgId, user.orgId), eq(files.workspaceId, workspaceId)]
    if (q.purpose) scope.push(eq(files.purpose, q.purpose))
    if (q.metadata !== undefined) scope.push(fileFilter(q.metadata))
    const where: SQL[] = [...scope]
    if (q.after) {
      const cursor = await db.select({ at: files.createdAtMs }).from(files).where(and(eq(files.id, q.after), ...scope)).get()
      if (!cursor) throw invalid(`after: no file "${q.after}" in this listing to continue from.`, 'after')
      where.push(q.order === 'asc' ? gt(files.createdAtMs, cursor.at) : lt(files.createdAtMs, cursor.at))
    }
    const [rows, total] = await Promise.all([
      db.select().from(files).where(and(...where)).orderBy(q.order === 'asc' ? asc(files.createdAtMs) : desc(files.createdAtMs)).limit(q.limit + 1).all(),
      db.select({ n: sql<number>`count(*)` }).from(files).where(and(...scope)).get(),
    ])
    const page = rows.slice(0, q.limit)
    return c.json({ data: page.map(fileObject), object: 'list' as const, total: total?.n ?? 0, has_more: rows.length > q.limit }, 200)
  })

  app.openapi(routes.get, async (c) => {
    const row = await authorizeFile(c, c.req.valid('param').file_id, c.req.valid('query').workspace, 'reader')
    return c.json(fileObject(row), 200)
  })

  app.openapi(routes.content, async (c) => {
    const row = await authorizeFile(c, c.req.valid('param').file_id, c.req.valid('query').workspace, 'reader')
    const object = await c.get('deps').blobs.get(row.blobKey)
    if (!object) throw notFound(`The bytes of "${row.id}" are gone; the file is being deleted.`, 'file_id')
    return new Response(object.body, {
      headers: {
        'content-type': row.contentType,
        'content-length': String(object.size),
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(row.filename)}`,
        etag: object.httpEtag,
      },
    })
  })

  app.openapi(routes.pageImage, async (c) => {
    const { file_id: fileId, page } = c.req.valid('param')
    const row = await authorizeFile(c, fileId, c.req.valid('query').workspace, 'reader')
    if (row.kind !== 'pdf') throw invalid(`"${row.filename}" is not a PDF; only PDF pages have pictures.`, 'file_id', 'not_a_pdf')
    const deps = c.get('deps')
    const picture = await pagePicture(deps.blobs, deps.pageRendering, { id: row.id, blobKey: row.blobKey, kind: row.kind }, page)
    if ('refused' in picture) {
      const message = `Page ${page} of "${row.filename}" cannot be shown: ${picture.refused}.`
      if (picture.why === 'no-such-page') throw new ApiError(404, message, 'page_not_found', 'page')
      if (picture.why === 'undrawable') throw invalid(message, 'page', 'page_not_drawable')
      throw new ApiError(503, message, 'page_renderer_unavailable')
    }
    return new Response(picture.image, { headers: { 'content-type': picture.mediaType, 'content-length': String(picture.image.byteLength), 'cache-control': 'private, max-age=3600' } })
  })

  app.openapi(routes.patchMetadata, async (c) => {
    const row = await authorizeFile(c, c.req.valid('param').file_id, c.req.valid('query').workspace, 'writer')
    const { instructions, ...patch } = c.req.valid('json')
    const deps = c.get('deps')
    const extraction = instructions === undefined ? null : extractionRequest(row, instructions, Object.keys(patch), deps.models.reasoning !== null)
    const merged: Record<string, unknown> = JSON.parse(row.metadata)
    for (const [key, value] of Object.entries(patch)) {
      if (value === null) delete merged[key]
      else merged[key] = value
    }
    const fault = metadataFault(merged, 'metadata')
    if (fault) throw invalid(fault, 'metadata')
    const text = JSON.stringify(merged)
    const changes = extraction === null ? { metadata: text } : { metadata: text, instructions: extraction }
    let updated = await deps.db.update(files).set(changes).where(eq(files.id, row.id)).returning().get()
    if (!updated) throw notFound(`No file "${row.id}".`, 'file_id')
    // Processed already: queue it now. Otherwise the message that completes the file does.
    if (extraction !== null && (await queueMetadataExtraction(deps, row.id))) {
      updated = (await deps.db.select().from(files).where(eq(files.id, row.id)).get()) ?? updated
    }
    return c.json(fileObject(updated), 200)
  })

  app.openapi(routes.delete, async (c) => {
    const row = await authorizeFile(c, c.req.valid('param').file_id, c.req.valid('query').workspace, 'writer')
    await deleteFiles(c.get('deps'), [row])
    return c.json({ id: row.id, object: 'file' as const, deleted: true as const }, 200)
  })
}
