/**
 * @module The answer without a reasoning model: the passages that best match the question, quoted
 * verbatim with their citations. It never states anything the files do not, so it is also what a
 * run falls back to when the reasoning model fails before it has written anything.
 */
import type { CitationWriter } from './citations'
import { locate, type EvidenceBook } from './evidence-book'
import { bestQuote } from './support'

/** Passages quoted at most. */
const QUOTED = 3

/** Writes the answer through `writer` (so it is cited and annotated like any other) and returns it. */
export function extractiveAnswer(question: string, book: EvidenceBook, writer: CitationWriter): string {
  const entries = book.all()
  if (entries.length === 0) return writer.push('I found nothing in the searchable files that matches the question.') + writer.finish()
  // One passage per file first, so three files are heard before one file three times.
  const seen = new Set<string>()
  const firsts = entries.filter((e) => !seen.has(e.hit.fileId) && seen.add(e.hit.fileId))
  const picks = [...firsts, ...entries.filter((e) => !firsts.includes(e))].slice(0, QUOTED)
  let out = writer.push(`The passages that best match the question:\n\n`)
  for (const entry of picks) {
    // The location follows the marker: the verifier checks the quote, which is the passage's own words.
    out += writer.push(`- "${bestQuote(question, entry.hit.text).replace(/\s+/g, ' ')}" [${entry.n}] (${locate(entry.hit)})\n`)
  }
  return out + writer.finish()
}
