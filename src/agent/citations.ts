/**
 * @module Verified citations for a streamed answer. The model writes `[n]` after a claim, n being a
 * passage of the evidence book; the writer takes the answer as it streams, holds it back only until a
 * sentence ends, checks each marker's claim against its passage (`judgeSupport`), drops what is not
 * supported, renumbers the rest by first use ([1], [2]… in reading order), and lets the sentence go.
 * So the text a client sees streaming is already the verified text, and the annotations' offsets
 * point into exactly what was sent.
 *
 * Offsets count Unicode code points, as Python's `str` does (OpenAI's and L0's clients slice with them).
 */
import { evidenceFields, type ChunkHit, type EvidenceFields } from '../search'
import type { EvidenceBook } from './evidence-book'
import { bestQuote, contentWords, endsWithAbbreviation, judgeSupport, numbersIn } from './support'

export type FileCitation = {
  type: 'file_citation'
  /** The marker as it appears in the content, e.g. `[1]`. */
  text: string
  start_index: number
  end_index: number
  file_citation: EvidenceFields & { quote: string }
}

export type RelevantDoc = EvidenceFields & { text: string }

/** A marker the verifier removed, with why; the run narrates these in its reasoning. */
export type DroppedCitation = { marker: number; claim: string; reason: string }

/** One or more markers side by side: `[1]`, `[1, 3]`, `[1][3]`. */
const MARKER_GROUP = /(?:\s*\[\s*\d+(?:\s*[,;]\s*\d+)*\s*\])+/g
const MARKER = /\d+/g

/**
 * The end of a sentence, with any markers that follow its full stop, when the text after it has
 * begun (so a marker still arriving cannot be cut off): "… 98 m tall. [2] Next" cuts before "Next".
 */
const SENTENCE_END = /(?:[.!?。！？](?:\s*\[[\d\s,;]*\])*\s+(?=[^\s[])|\n+)/g

const codePoints = (s: string) => {
  let n = 0
  for (const _ of s) n++
  return n
}

export class CitationWriter {
  private pending = ''
  private emitted = ''
  private emittedPoints = 0
  private readonly numberOf = new Map<number, number>()
  private readonly cited: ChunkHit[] = []
  readonly annotations: FileCitation[] = []
  readonly dropped: DroppedCitation[] = []

  constructor(private readonly book: EvidenceBook) {}

  /** Takes the next piece of the answer; returns the verified text that may be sent now (maybe ''). */
  push(delta: string): string {
    this.pending += delta
    let cut = 0
    SENTENCE_END.lastIndex = 0
    for (let m = SENTENCE_END.exec(this.pending); m; m = SENTENCE_END.exec(this.pending)) {
      // "No. 2" and "Fig. 3" go on: the claim is the whole sentence.
      if (m[0][0] === '.' && endsWithAbbreviation(this.pending.slice(0, m.index + 1))) continue
      cut = m.index + m[0].length
    }
    if (cut === 0) return ''
    const ready = this.pending.slice(0, cut)
    this.pending = this.pending.slice(cut)
    return this.verify(ready)
  }

  /** The rest of the answer, once the model has finished. */
  finish(): string {
    const rest = this.pending
    this.pending = ''
    return rest ? this.verify(rest) : ''
  }

  get content(): string {
    return this.emitted
  }

  /** The passages cited, in the order of their numbers. */
  relevantDocs(): RelevantDoc[] {
    return this.cited.map((hit) => ({ ...evidenceFields(hit), text: hit.text }))
  }

  private verify(sentence: string): string {
    let out = ''
    let claimStart = 0
    const groups = [...sentence.matchAll(MARKER_GROUP)]
    let last = 0
    for (const group of groups) {
      const at = group.index
      const claim = sentence.slice(claimStart, at).replace(MARKER_GROUP, '')
      out += sentence.slice(last, at)
      const kept = this.judgeGroup(group[0], claim)
      if (kept.length > 0) {
        // Keep the space before the markers if the model put one.
        const lead = /^\s/.test(group[0]) ? ' ' : ''
        out += lead
        for (const { n, hit, claimText } of kept) {
          const marker = `[${this.numberFor(n, hit)}]`
          const start = this.emittedPoints + codePoints(out)
          out += marker
          this.annotations.push({
            type: 'file_citation',
            text: marker,
            start_index: start,
            end_index: start + codePoints(marker),
            file_citation: { ...evidenceFields(hit), quote: bestQuote(claimText, hit.text) },
          })
        }
      }
      last = at + group[0].length
      claimStart = last
    }
    out += sentence.slice(last)
    this.emitted += out
    this.emittedPoints += codePoints(out)
    return out
  }

  /** The markers of one group that their passages support. */
  private judgeGroup(group: string, claim: string): Array<{ n: number; hit: ChunkHit; claimText: string }> {
    const numbers = [...new Set([...group.matchAll(MARKER)].map((m) => Number(m[0])))]
    const claimText = claim.trim()
    const known = numbers.flatMap((n) => {
      const entry = this.book.get(n)
      if (!entry) this.dropped.push({ marker: n, claim: claimText, reason: `there is no passage [${n}]` })
      return entry ? [{ n, hit: entry.hit, claimText }] : []
    })
    // Several passages may support one claim together: each must carry part of it, and all together the whole.
    const together = known.length > 1 ? judgeSupport(claimText, known.map((k) => k.hit.text).join('\n')).supported : false
    return known.filter(({ n, hit }) => {
      const alone = judgeSupport(claimText, hit.text)
      if (alone.supported) return true
      if (together && contributes(claimText, hit.text)) return true
      this.dropped.push({ marker: n, claim: claimText, reason: alone.reason })
      return false
    })
  }

  private numberFor(n: number, hit: ChunkHit): number {
    let number = this.numberOf.get(n)
    if (number === undefined) {
      number = this.numberOf.size + 1
      this.numberOf.set(n, number)
      this.cited.push(hit)
    }
    return number
  }
}

/** The passage states one of the claim's numbers or shares two of its key words. */
function contributes(claim: string, passage: string): boolean {
  const numbers = new Set(numbersIn(passage))
  if (numbersIn(claim).some((n) => numbers.has(n))) return true
  const words = new Set(contentWords(passage))
  return contentWords(claim).filter((w) => words.has(w)).length >= 2
}
