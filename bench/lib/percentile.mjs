/**
 * @module The p-th percentile of a list of timings, nearest rank (the value at or above p % of them);
 * NaN for an empty list.
 */
export function percentile(xs, p) {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN
}
