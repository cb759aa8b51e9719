/**
 * @module Ranking metrics as trec_eval computes them, for the BEIR benches: nDCG@k (`ndcg_cut`, gain =
 * relevance level, discount log2(rank + 1), ideal over every judged-relevant document) and Recall@k.
 * `judged` maps a document id to its relevance level.
 */
export function ndcgAt(ranked, judged, k) {
  let dcg = 0
  ranked.slice(0, k).forEach((doc, i) => {
    const gain = judged.get(doc) ?? 0
    if (gain > 0) dcg += gain / Math.log2(i + 2)
  })
  const ideal = [...judged.values()].filter((g) => g > 0).sort((a, b) => b - a).slice(0, k)
  const idcg = ideal.reduce((sum, g, i) => sum + g / Math.log2(i + 2), 0)
  return idcg > 0 ? dcg / idcg : 0
}

export function recallAt(ranked, judged, k) {
  const relevant = [...judged].filter(([, g]) => g > 0).map(([d]) => d)
  const top = new Set(ranked.slice(0, k))
  return relevant.length ? relevant.filter((d) => top.has(d)).length / relevant.length : 0
}
