/**
 * @module Files that expire: OpenAI's `expires_after` at upload (`anchor` `created_at`, `seconds` from
 * one hour to 30 days, as OpenAI allows), and the sweep that deletes an expired file with everything
 * derived from it — chunks, vectors, page pictures, the original — through the one deletion path a
 * user's DELETE takes. The ingest Worker's cron and the ingest watch run the sweep; the watch wakes
 * for the next expiry, so a file is gone within a minute of its time even where crons do not fire.
 */
import { and, asc, isNotNull, lte } from 'drizzle-orm'
import { files } from '../db/schema'
import type { Ports } from '../ports'
import { FileError } from './errors'
import { deleteFiles } from './file-deletion'

/** OpenAI's bounds for `expires_after[seconds]`. */
export const MIN_EXPIRY_SECONDS = 3_600
export const MAX_EXPIRY_SECONDS = 30 * 24 * 3_600

/** Expired files one sweep deletes; the next sweep takes the rest. */
const PER_SWEEP = 200

/** `expires_after` as a multipart form carries it: `expires_after[anchor]` and `expires_after[seconds]`, as text. */
export type ExpiresAfterFields = { anchor?: string | undefined; seconds?: string | undefined }

/**
 * Seconds until the files of an upload expire, or null when the upload sets no expiry.
 * @example expirySeconds({ anchor: 'created_at', seconds: '86400' }) // 86400
 */
export function expirySeconds(fields: ExpiresAfterFields): number | null {
  if (fields.anchor === undefined && fields.seconds === undefined) return null
  if (fields.anchor !== 'created_at') {
    throw new FileError('invalid', `expires_after[anchor] must be "created_at" (the only anchor), not ${JSON.stringify(fields.anchor ?? null)}.`, 'expires_after[anchor]')
  }
  const seconds = Number(fields.seconds)
  if (!/^\d+$/.test(fields.seconds?.trim() ?? '') || seconds < MIN_EXPIRY_SECONDS || seconds > MAX_EXPIRY_SECONDS) {
    throw new FileError(
      'invalid',
      `expires_after[seconds] must be a whole number of seconds from ${MIN_EXPIRY_SECONDS} (one hour) to ${MAX_EXPIRY_SECONDS} (30 days), not ${JSON.stringify(fields.seconds ?? null)}.`,
      'expires_after[seconds]',
    )
  }
  return seconds
}

/** Deletes the files whose expiry has passed, oldest expiry first; returns how many. */
export async function sweepExpiredFiles(deps: Pick<Ports, 'db' | 'index' | 'blobs' | 'vectors'>, now = Date.now()): Promise<number> {
  const due = await deps.db
    .select({ id: files.id })
    .from(files)
    .where(and(isNotNull(files.expiresAtMs), lte(files.expiresAtMs, now)))
    .orderBy(asc(files.expiresAtMs))
    .limit(PER_SWEEP)
    .all()
  return due.length === 0 ? 0 : deleteFiles(deps, due.map((f) => f.id), { actor: { kind: 'system', name: 'expiry' }, reason: 'expired' })
}

/** When the next file expires (milliseconds), or null when none will. */
export async function nextExpiry(deps: Pick<Ports, 'db'>): Promise<number | null> {
  const next = await deps.db
    .select({ at: files.expiresAtMs })
    .from(files)
    .where(isNotNull(files.expiresAtMs))
    .orderBy(asc(files.expiresAtMs))
    .limit(1)
    .get()
  return next?.at ?? null
}
