/**
 * @module The typed errors of sources; the API maps them in its one error table (api/domain-errors.ts).
 */

/** The store or site refused or could not be reached; the message is a sentence for a person and never holds a secret. */
export class SourceAccessError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SourceAccessError'
  }
}

/** A source's settings are wrong in a way a schema cannot see (an unknown binding, a URL Cairn may not crawl). */
export class SourceSettingsError extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message)
    this.name = 'SourceSettingsError'
  }
}

export class SourceNotFoundError extends Error {
  constructor(readonly sourceId: string) {
    super(`No source with id '${sourceId}' in this workspace.`)
    this.name = 'SourceNotFoundError'
  }
}

/** A source by that name already exists in the workspace, or a sync is already running. */
export class SourceConflictError extends Error {
  constructor(
    message: string,
    readonly param: string | null = null,
  ) {
    super(message)
    this.name = 'SourceConflictError'
  }
}
