/**
 * @module The arguments several tools share, with descriptions a model can act on.
 */
import { z } from 'zod'
import { MAX_TOP_K } from '../search'
import { DEFAULT_WORKSPACE } from '../tenancy/orgs'

export const workspaceArg = z
  .string()
  .min(1)
  .max(64)
  .optional()
  .describe(`The workspace to use (an id such as "legal-2024"). Leave it out for the "${DEFAULT_WORKSPACE}" workspace.`)

export const chunkFilterArg = z
  .string()
  .max(4000)
  .optional()
  .describe(
    'A filter expression over file fields, file metadata and passage attributes, e.g. `filename == \'report.pdf\'`, `metadata.year >= 2020 and metadata.author == \'hegel\'`, `page <= 3`, `modality == \'table\'`. Leave it out to use every file.',
  )

export const topKArg = z.number().int().min(1).max(MAX_TOP_K).optional().describe(`How many passages to return, best first (1 to ${MAX_TOP_K}; 5 when left out).`)

export const fileIdArg = z.string().min(1).max(100).describe('A file id as list_files or search returns it, e.g. "file-0a1b2c…".')

/** The workspace a call names, or the default one. */
export const workspaceOf = (workspace: string | undefined) => workspace ?? DEFAULT_WORKSPACE
