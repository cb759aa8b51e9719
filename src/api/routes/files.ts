/**
 * @module The Files API: multipart upload (one file → OpenAI's file object, several → L0's array),
 * listing, reading, the original bytes, a PDF page's picture, metadata updates, and deletion. Each
 * handler parses, names the caller, calls one `files/` domain function and shapes its answer; the
 * domain's refusals become HTTP errors in `../domain-errors.ts`, with every domain's.
 */
import { openFile } from '../../files/access'
import { fileContent, filePageImage } from '../../files/file-bytes'
import { deleteFile } from '../../files/file-deletion'
import { fileObject } from '../../files/file-object'
import { listFiles } from '../../files/listing'
import { updateFileMetadata } from '../../files/metadata-update'
import { uploadFiles } from '../../files/upload-request'
import { callerOf } from '../auth'
import type { App } from '../context'
import { resourceApp } from '../resource-app'
import { fileRoutes as routes } from './file-openapi'

/** The Files API as a sub-app: one per app, so nothing is shared between apps built in one isolate. */
export function fileRoutes(): App {
  const files = resourceApp()

  files.openapi(routes.upload, async (c) => {
    const caller = callerOf(c)
    const form = c.req.valid('form')
    const rows = await uploadFiles(c.get('deps'), caller, {
      workspace: form.workspace,
      purpose: form.purpose,
      metadata: form.metadata,
      instructions: form.instructions,
      expiresAfter: { anchor: form['expires_after[anchor]'], seconds: form['expires_after[seconds]'] },
      parts: Array.isArray(form.file) ? form.file : [form.file],
    })
    const objects = rows.map(fileObject)
    return c.json(Array.isArray(form.file) ? objects : objects[0]!, 200)
  })

  files.openapi(routes.list, async (c) => {
    const caller = callerOf(c)
    const page = await listFiles(c.get('deps').db, caller, c.req.valid('query'))
    return c.json({ data: page.rows.map(fileObject), object: 'list' as const, total: page.total, has_more: page.hasMore }, 200)
  })

  files.openapi(routes.get, async (c) => {
    const row = await openFile(c.get('deps').db, callerOf(c), c.req.valid('param').file_id, c.req.valid('query').workspace, 'reader')
    return c.json(fileObject(row), 200)
  })

  files.openapi(routes.content, async (c) => {
    const { row, object } = await fileContent(c.get('deps'), callerOf(c), c.req.valid('param').file_id, c.req.valid('query').workspace)
    return new Response(object.body, {
      headers: {
        'content-type': row.contentType,
        'content-length': String(object.size),
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(row.filename)}`,
        etag: object.httpEtag,
      },
    })
  })

  files.openapi(routes.pageImage, async (c) => {
    const { file_id: fileId, page } = c.req.valid('param')
    const picture = await filePageImage(c.get('deps'), callerOf(c), fileId, c.req.valid('query').workspace, page)
    return new Response(picture.image, { headers: { 'content-type': picture.mediaType, 'content-length': String(picture.image.byteLength), 'cache-control': 'private, max-age=3600' } })
  })

  files.openapi(routes.patchMetadata, async (c) => {
    const caller = callerOf(c)
    const row = await updateFileMetadata(c.get('deps'), caller, c.req.valid('param').file_id, c.req.valid('query').workspace, c.req.valid('json'))
    return c.json(fileObject(row), 200)
  })

  files.openapi(routes.delete, async (c) => {
    const id = await deleteFile(c.get('deps'), callerOf(c), c.req.valid('param').file_id, c.req.valid('query').workspace)
    return c.json({ id, object: 'file' as const, deleted: true as const }, 200)
  })

  // The files domain throws its own errors; they get their HTTP answer here, everything else as the app's.
  return files
}
