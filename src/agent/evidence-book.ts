/**
 * @module The evidence a run has seen, numbered in the order it was found. The model reads passages
 * as `[n] …` and cites them by that number; the citation writer looks the numbers up here. A passage
 * found twice keeps its first number, and the book holds at most `capacity` passages, so a run's
 * evidence (and its prompts) stay bounded.
 */
import type { ChunkHit } from '../search'

export type Evidence = { n: number; hit: ChunkHit }

/** Characters of a passage shown to the model; passages are chunks of ~400 tokens, so rarely cut. */
const SHOWN_CHARS = 2400

export class EvidenceBook {
  private readonly items: Evidence[] = []
  private readonly byChunk = new Map<string, Evidence>()

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length
  }

  get full(): boolean {
    return this.items.length >= this.capacity
  }

  /** Adds what is new (while there is room) and returns every hit's entry, old or new, in order. */
  add(hits: readonly ChunkHit[]): { entries: Evidence[]; added: number } {
    const entries: Evidence[] = []
    let added = 0
    for (const hit of hits) {
      let entry = this.byChunk.get(hit.chunkId)
      if (!entry && !this.full) {
        entry = { n: this.items.length + 1, hit }
        this.items.push(entry)
        this.byChunk.set(hit.chunkId, entry)
        added++
      }
      if (entry) entries.push(entry)
    }
    return { entries, added }
  }

  get(n: number): Evidence | undefined {
    return this.items[n - 1]
  }

  all(): readonly Evidence[] {
    return this.items
  }
}

/** Where a passage sits, as a reader would say it: "report.pdf, page 3", "data.xlsx, Sales rows 2–40". */
export function locate(hit: ChunkHit): string {
  const where: string[] = [hit.filename]
  if (hit.page !== null) where.push(`${/\.pptx$/i.test(hit.filename) ? 'slide' : 'page'} ${hit.page}`)
  if (hit.sheet !== null) where.push(`sheet ${hit.sheet}`)
  if (hit.rows) where.push(hit.rows[0] === hit.rows[1] ? `row ${hit.rows[0]}` : `rows ${hit.rows[0]}–${hit.rows[1]}`)
  if (hit.startTime !== null) where.push(`${clock(hit.startTime)}–${clock(hit.endTime ?? hit.startTime)}`)
  return where.join(', ')
}

/** Seconds as m:ss (or h:mm:ss), as a player shows them. */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const rest = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${String(m).padStart(2, '0')}:${rest}`
}

/** A passage as the model reads it: number, place, heading, text. */
export function renderEvidence(entry: Evidence): string {
  const { hit } = entry
  const heading = hit.heading ? ` — ${hit.heading}` : ''
  const text = hit.text.length > SHOWN_CHARS ? `${hit.text.slice(0, SHOWN_CHARS)} …` : hit.text
  return `[${entry.n}] (${locate(hit)}${heading})\n${text}`
}

export function renderEvidenceList(entries: readonly Evidence[]): string {
  return entries.map(renderEvidence).join('\n\n')
}
