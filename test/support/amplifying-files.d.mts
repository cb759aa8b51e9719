/** Types for `amplifying-files.mjs` (shared with the Node benches, so written as plain JavaScript). */
type Bytes = Uint8Array
export function sharedStringXlsx(options?: { stringChars?: number; cells?: number }): Bytes
export function mergedCellsXlsx(options?: { valueChars?: number; ranges?: number }): Bytes
export function repeatedRunsDocx(options?: { paragraphs?: number; runs?: number; runChars?: number }): Bytes
export function spannedTableDocx(options?: { cellChars?: number; rows?: number }): Bytes
export function repeatedTextPptx(options?: { slides?: number; slideChars?: number }): Bytes
export function longHeaderCsv(options?: { headerChars?: number; rows?: number }): Bytes
export function hugeArrayJson(options?: { items?: number }): Bytes
export function deepKeyPathJson(options?: { levels?: number; keyChars?: number; items?: number }): Bytes
export function expandingPdf(options?: { lines?: number; lineChars?: number; pages?: number }): Bytes
export function amplifyingFiles(): [string, Bytes][]
