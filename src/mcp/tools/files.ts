/**
 * @module The `list_files` and `get_file` tools: the files domain's listing and file object, as
 * `GET /files` and `GET /files/{file_id}` give them, under the same access rules.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import { z } from 'zod'
import { openFile } from '../../files/access'
import { fileObject, type FileRow } from '../../files/file-object'
import { listFiles } from '../../files/listing'
import { fileCallerOf, type McpCaller } from '../caller'
import { fileIdArg, workspaceArg, workspaceOf } from '../schemas'
import { answered, toolCall } from '../tool-result'

const LIST_DESCRIPTION = `List the files in a Cairn workspace, newest first: id, name, status (uploaded, processing, processed or error), pages and metadata. \
Only processed files can be searched and read. Narrow the list with a filter expression over file fields and metadata, \
e.g. \`filename like '%.pdf'\`, \`status == 'error'\`, \`metadata.year >= 2020\`, \`created_at >= '2024-01-01'\`.`

const GET_DESCRIPTION = `Get one file's details by id: name, size, status (and why, if it failed), ingestion progress (pages done of total, chunks), metadata and workspace.`

const listSchema = {
  filter: z
    .string()
    .max(4000)
    .optional()
    .describe("A filter expression over file fields and metadata, e.g. `metadata.author == 'hegel' and bytes < 1000000`. Leave it out to list every file."),
  limit: z.number().int().min(1).max(100).optional().describe('How many files to list (1 to 100; 20 when left out).'),
  after: z.string().max(100).optional().describe('The id of the last file of the previous call, to list the next ones.'),
  workspace: workspaceArg,
}

/** A file as one line of a listing. */
function fileLine(row: FileRow): string {
  const pages = row.pagesTotal ? `, ${row.pagesTotal} page${row.pagesTotal === 1 ? '' : 's'}` : ''
  const why = row.status === 'error' && row.statusDetails ? ` (${row.statusDetails})` : ''
  return `${row.id}  ${row.filename}  ${row.status}${why}${pages}, ${row.bytes} bytes, metadata ${row.metadata}`
}

export function registerFileTools(server: McpServer, caller: McpCaller): void {
  server.registerTool('list_files', { title: 'List files', description: LIST_DESCRIPTION, inputSchema: listSchema, annotations: { readOnlyHint: true } }, (args) =>
    toolCall(async () => {
      const workspace = workspaceOf(args.workspace)
      const page = await listFiles(caller.deps.db, fileCallerOf(caller), { workspace, limit: args.limit ?? 20, order: 'desc', metadata: args.filter, after: args.after })
      const files = page.rows.map(fileObject)
      const more = page.hasMore ? `\nMore files follow; call again with after = "${page.rows.at(-1)!.id}".` : ''
      const text =
        page.rows.length === 0
          ? `No files in workspace "${workspace}"${args.filter ? ` match ${args.filter}` : ''}.`
          : `${page.total} file${page.total === 1 ? '' : 's'} in workspace "${workspace}"${args.filter ? ` match ${args.filter}` : ''}:\n${page.rows.map(fileLine).join('\n')}${more}`
      return answered(text, { files, total: page.total, has_more: page.hasMore })
    }),
  )

  server.registerTool(
    'get_file',
    { title: 'Get a file', description: GET_DESCRIPTION, inputSchema: { file_id: fileIdArg, workspace: workspaceArg.describe('Only find the file in this workspace; leave it out to find it in any workspace you can read.') }, annotations: { readOnlyHint: true } },
    (args) =>
      toolCall(async () => {
        const row = await openFile(caller.deps.db, fileCallerOf(caller), args.file_id, args.workspace, 'reader')
        const file = fileObject(row)
        return answered(JSON.stringify(file, null, 2), file)
      }),
  )
}
