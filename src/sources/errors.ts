/**
 * @module The typed errors of sources, one class with a kind, as the other domains have them; the API
 * answers each kind from its one error table (api/domain-errors.ts). The two refusals thrown throughout
 * the readers and the crawl have classes of their own.
 */

export type SourceErrorKind = 'not_found' | 'conflict' | 'invalid' | 'unreachable'

export class SourceError extends Error {
  constructor(
    readonly kind: SourceErrorKind,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message)
    this.name = 'SourceError'
  }
}

/** The store or site refused or could not be reached; the message is a sentence for a person and never holds a secret. */
export class SourceAccessError extends SourceError {
  constructor(message: string) {
    super('unreachable', message, 'settings')
    this.name = 'SourceAccessError'
  }
}

/** A source's settings are wrong in a way a schema cannot see (an unknown binding, a missing key). */
export class SourceSettingsError extends SourceError {
  constructor(message: string, param: string | null = null) {
    super('invalid', message, param ?? 'settings')
    this.name = 'SourceSettingsError'
  }
}

export const sourceNotFound = (sourceId: string) => new SourceError('not_found', `No source with id '${sourceId}' in this workspace.`, 'source_id')
