/**
 * @module The Files API's routes as the OpenAPI document describes them: paths, parameters, bodies
 * and every answer. Handlers are in `files.ts`.
 */
import { createRoute, z } from '@hono/zod-openapi'
import { MAX_METADATA_BYTES } from '../../files/file-object'
import { MAX_FILES_PER_UPLOAD } from '../../files/upload'
import { JSON_LIMITS } from '../../json-limits'
import { bearerSecurity, errorResponses } from '../schemas'
import { FileIdParam, FileObject, json, UploadForm, WorkspaceQuery } from './file-schemas'

export const fileRoutes = {
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
