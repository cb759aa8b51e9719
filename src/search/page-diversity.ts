/**
 * @module One passage per page first: long documents are asked about by page, and ten results that are
 * five chunks of one page hide the other pages that compete. The best chunk of each page keeps its
 * place; a page's further chunks follow every page's best, in their own order, so they still fill
 * `top_k` when few pages match.
 *
 * Only chunks with a page (PDF pages, slides) are grouped; a chunk without one (Markdown, a sheet, a
 * transcript) is its own group, so formats without pages rank exactly as before.
 */

/** What grouping needs of a hit: its file and page, and an id for hits that have no page. */
export type PagedHit = { fileId: string; page: number | null; chunkId: string }

/** The page a hit stands for, or its own chunk where the format has no pages. */
export function pageKey(hit: PagedHit): string {
  return hit.page === null ? `chunk:${hit.chunkId}` : `page:${hit.fileId}:${hit.page}`
}

/**
 * The same hits, best chunk of each page first (in rank order), then the pages' other chunks.
 * @example onePerPageFirst([a1, a2, b1]) // [a1, b1, a2] where a1 and a2 share a page
 */
export function onePerPageFirst<T extends PagedHit>(ranked: readonly T[]): T[] {
  const seen = new Set<string>()
  const firsts: T[] = []
  const repeats: T[] = []
  for (const hit of ranked) {
    const key = pageKey(hit)
    if (seen.has(key)) repeats.push(hit)
    else {
      seen.add(key)
      firsts.push(hit)
    }
  }
  return firsts.concat(repeats)
}
