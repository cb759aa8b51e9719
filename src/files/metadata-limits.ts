/**
 * @module Whether a file's metadata, as it would be stored, is within JSON_LIMITS: small enough for
 * every listing and shallow enough for SQLite's JSON functions and every serializer on the way.
 */
import { JSON_LIMITS, jsonValueDepth, metadataTooDeep } from '../json-limits'

const utf8 = new TextEncoder()

/**
 * The sentence saying what is wrong with `metadata` (named `field` in the request), or undefined when it is fine.
 * @example metadataFault({ author: 'hegel' }, 'metadata') // undefined
 */
export function metadataFault(metadata: Record<string, unknown>, field: string): string | undefined {
  // Depth first: serializing something nested without bound could itself overflow the stack.
  if (jsonValueDepth(metadata, JSON_LIMITS.metadataDepth) > JSON_LIMITS.metadataDepth) return metadataTooDeep(field)
  if (utf8.encode(JSON.stringify(metadata)).length > JSON_LIMITS.metadataBytes) {
    return `${field} would be larger than ${JSON_LIMITS.metadataBytes / 1024} KB as JSON; keep it to tags and attributes, and put long text in the file itself.`
  }
  return undefined
}
