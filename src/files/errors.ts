/**
 * @module What the files domain refuses, and why, knowing nothing of HTTP: a kind a front door maps
 * to its own answer (`api/file-errors.ts` for the REST API), a sentence for the person who asked,
 * and the request field at fault when there is one.
 */

export type FileErrorKind =
  /** No such file for this caller (another org's file, or one outside the named workspace, is none too). */
  | 'not_found'
  /** A request field is malformed or out of bounds. */
  | 'invalid'
  /** A listing's filter expression does not parse. */
  | 'invalid_filter'
  /** An upload was refused whole: a file empty, too large or of an unsupported type. */
  | 'upload_refused'
  /** Metadata extraction was asked for, with no reasoning model to do it. */
  | 'model_not_configured'
  /** Metadata extraction was asked for on a file that ended in `error`. */
  | 'not_processed'
  /** A page picture was asked of a file that is not a PDF. */
  | 'not_a_pdf'
  /** The PDF has no such page. */
  | 'no_such_page'
  /** PDFium could not draw the page. */
  | 'page_not_drawable'
  /** The renderer that draws pages could not be reached. */
  | 'renderer_unavailable'

export class FileError extends Error {
  constructor(
    readonly kind: FileErrorKind,
    message: string,
    /** The request field at fault, as the caller spelled it. */
    readonly param: string | null = null,
  ) {
    super(message)
    this.name = 'FileError'
  }
}
