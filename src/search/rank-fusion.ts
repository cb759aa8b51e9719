/**
 * @module Reciprocal rank fusion (Cormack, Clarke & Büttcher, 2009): many ranked lists into one, by
 * rank alone, so arms whose scores are on different scales (BM25, cosine) combine without calibration.
 */

/** The constant of the original paper; it damps the weight of the very first ranks. */
export const RRF_K = 60

export type FusionOptions = {
  /** Larger k flattens the difference between ranks. */
  k?: number
  /** One weight per list (default 1 each): how much that arm's ranks count. */
  weights?: readonly number[]
}

export type Fused<T> = {
  /** The item as the first list that ranked it has it. */
  item: T
  /** Σ weight / (k + rank) over the lists that ranked it: higher is better. */
  score: number
  /** Its 1-based rank in each list, or null where a list does not have it. */
  ranks: Array<number | null>
}

/**
 * Fuses ranked lists (each best first) into one, best first. An item is known by `keyOf`; within a
 * list only its first occurrence counts. Ties go to the item with the better single rank, then to
 * the one met first (earlier list, higher up). With one list the order is exactly that list's.
 * @example
 * reciprocalRankFusion([lexical, semantic], (hit) => hit.chunkId)
 */
export function reciprocalRankFusion<T>(lists: ReadonlyArray<readonly T[]>, keyOf: (item: T) => string, options: FusionOptions = {}): Fused<T>[] {
  const k = options.k ?? RRF_K
  if (!(k >= 0) || !Number.isFinite(k)) throw new RangeError(`k must be a finite number ≥ 0, not ${k}`)
  if (options.weights && options.weights.length !== lists.length) throw new RangeError(`${options.weights.length} weights for ${lists.length} lists`)
  const entries = new Map<string, Fused<T> & { best: number; seen: number }>()
  lists.forEach((list, l) => {
    const weight = options.weights?.[l] ?? 1
    list.forEach((item, index) => {
      const key = keyOf(item)
      let entry = entries.get(key)
      if (!entry) {
        entry = { item, score: 0, ranks: lists.map(() => null), best: Infinity, seen: entries.size }
        entries.set(key, entry)
      }
      if (entry.ranks[l] !== null) return
      const rank = index + 1
      entry.ranks[l] = rank
      entry.score += weight / (k + rank)
      entry.best = Math.min(entry.best, rank)
    })
  })
  return [...entries.values()]
    .sort((a, b) => b.score - a.score || a.best - b.best || a.seen - b.seen)
    .map(({ item, score, ranks }) => ({ item, score, ranks }))
}
