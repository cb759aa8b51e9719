/**
 * @module What perception did in one part of a PDF, as stored with the part, and the sentence the
 * file's `status_details` gets about its unread pages. The sentence is written in SQL, inside the
 * statement that completes the file, because only there are every part's counts known for certain.
 */

/** What perception did in one part; stored with the part, summed on the file. */
export type PartPerception = {
  pagesRendered: number
  pagesSeen: number
  /** Pages that called for a vision model and were not read by one (no model, over budget, refused). */
  pagesSkipped: number
  /** Of those, pages with (almost) no text: their words are missing from the index. */
  scansUnread: number
  /** Whether a vision model was configured: decides which sentence the file gets. */
  visionConfigured: boolean
  /** VISION_PAGES_PER_FILE when the part ran. */
  budget: number
}

/**
 * The `status_details` of a completed file: "No text was found" when a document (not a recording or
 * an image, which say so themselves) ended with no chunk; then every part's note, each once, in part
 * order; then the unread-pages sentence. Parameters are SQL placeholders: the file id, 1 when it is
 * a document, 1/0/NULL for vision model configured / not / not a PDF, and the page budget.
 */
export function finishNoteSql(file: string, isDocument: string, visionConfigured: string, budget: string): string {
  const sum = (column: string) => `(SELECT CAST(coalesce(sum(${column}), 0) AS INTEGER) FROM file_parts WHERE file_id = ${file})`
  const count = (column: string, one: string, many: string) => `${sum(column)} || CASE WHEN ${sum(column)} = 1 THEN '${one}' ELSE '${many}' END`
  const sentence = `CASE
      WHEN ${visionConfigured} = 0 AND ${sum('scans_unread')} > 0
        THEN ${count('scans_unread', ' scanned page', ' scanned pages')} || ' (little or no text) could not be read without a vision model (set MODEL_PROVIDER and VISION_MODEL).'
      WHEN ${visionConfigured} = 1 AND ${sum('pages_skipped')} > 0
        THEN ${count('pages_skipped', ' page', ' pages')} || ' with little text or with figures went unread by the vision model, which reads at most ' || CAST(${budget} AS INTEGER) || ' pages per file (VISION_PAGES_PER_FILE).'
      ELSE '' END`
  const empty = `CASE WHEN ${isDocument} = 1 AND ${sum('chunks')} = 0 THEN 'No text was found in this file.' ELSE '' END`
  // Parts of one file often say the same thing (an embedding model that is down): each note once.
  const notes = `(SELECT group_concat(note, ' ') FROM (SELECT note FROM file_parts WHERE file_id = ${file} AND note IS NOT NULL GROUP BY note ORDER BY min(part)))`
  // Each trim drops the space before an empty piece, so pieces are one space apart however many are empty.
  const joined = [empty, `coalesce(${notes}, '')`, sentence].reduce((acc, piece) => `trim(${acc} || ' ' || ${piece})`)
  return `nullif(${joined}, '')`
}
